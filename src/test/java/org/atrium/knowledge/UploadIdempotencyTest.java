package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.atrium.storage.BlobStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.IOException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Uploads with an {@code Idempotency-Key}: a repeat answers the file stored the first time, and only it. */
class UploadIdempotencyTest extends IntegrationTest {

    @Autowired
    private BlobStore blobs;

    @Autowired
    private Reconciler reconciler;

    private static final byte[] CONTENT = "Quinces ripen in October.".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRepeatedUploadWithTheSameKeyAnswersTheFileStoredTheFirstTime() {
        TestUsers.Account owner = users.user();
        UUID collection = new Knowledge(api).personalCollection(owner, "Orchard");
        String key = UUID.randomUUID().toString();

        Api.Response first = upload(owner, collection, CONTENT, key);
        Api.Response repeat = upload(owner, collection, CONTENT, key);

        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertThat(repeat.status()).as(repeat.text()).isEqualTo(202);
        assertThat(repeat.json().path("fileId").asString()).isEqualTo(first.json().path("fileId").asString());
        assertThat(repeat.header("Location")).isEqualTo(first.header("Location"));
        assertThat(filesIn(collection)).isEqualTo(1);
        assertThat(upload(owner, collection, CONTENT, UUID.randomUUID().toString()).json().path("fileId")
                .asString()).as("another key is another upload").isNotEqualTo(first.json().path("fileId").asString());
    }

    @Test
    void expiredKeysAreRemovedByTheReconcilerWhateverTheirOwnerDoesNext() {
        TestUsers.Account owner = users.user();
        UUID collection = new Knowledge(api).personalCollection(owner, "Cellar");
        String old = UUID.randomUUID().toString();
        String fresh = UUID.randomUUID().toString();
        assertThat(upload(owner, collection, CONTENT, old).status()).isEqualTo(202);
        assertThat(upload(owner, collection, "Pears keep.".getBytes(StandardCharsets.UTF_8), fresh).status())
                .isEqualTo(202);
        jdbc.sql("update upload_idempotency_keys set created_at = now() - interval '25 hours'"
                + " where user_id = :u and key = :k").param("u", owner.id()).param("k", old).update();

        reconciler.repair();

        assertThat(jdbc.sql("select key from upload_idempotency_keys where user_id = :u").param("u", owner.id())
                .query(String.class).list()).as("the expired key went, the live one stays").containsExactly(fresh);
    }

    @Test
    void theSameKeyForOtherContentOrAnotherCollectionIsRefused() {
        TestUsers.Account owner = users.user();
        Knowledge knowledge = new Knowledge(api);
        UUID collection = knowledge.personalCollection(owner, "Orchard");
        UUID other = knowledge.personalCollection(owner, "Vineyard");
        String key = UUID.randomUUID().toString();
        assertThat(upload(owner, collection, CONTENT, key).status()).isEqualTo(202);

        Api.Response otherContent = upload(owner, collection, "Pears too.".getBytes(StandardCharsets.UTF_8), key);
        Api.Response otherCollection = upload(owner, other, CONTENT, key);

        assertThat(otherContent.status()).as(otherContent.text()).isEqualTo(409);
        assertThat(otherContent.json().path("code").asString()).isEqualTo("idempotency_key_reused");
        assertThat(otherCollection.status()).as(otherCollection.text()).isEqualTo(409);
        assertThat(otherCollection.json().path("code").asString()).isEqualTo("idempotency_key_reused");
        assertThat(filesIn(collection)).isEqualTo(1);
        assertThat(filesIn(other)).isZero();
    }

    @Test
    void keysBelongToTheirUserAndMalformedKeysAreRefused() {
        TestUsers.Account owner = users.user();
        TestUsers.Account writer = users.user();
        UUID collection = new Knowledge(api).personalCollection(owner, "Shared orchard");
        assertThat(api.put("/api/v1/collections/" + collection + "/grants/users/" + writer.id(),
                Map.of("access", "write"), owner.token()).status()).isEqualTo(200);
        String key = "shared-key-" + UUID.randomUUID();

        Api.Response mine = upload(owner, collection, CONTENT, key);
        Api.Response theirs = upload(writer, collection, CONTENT, key);
        Api.Response malformed = upload(owner, collection, CONTENT, "has spaces in it");

        assertThat(theirs.status()).isEqualTo(202);
        assertThat(theirs.json().path("fileId").asString()).isNotEqualTo(mine.json().path("fileId").asString());
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().path("code").asString()).isEqualTo("invalid_parameter");
    }

    @Test
    void concurrentRepeatsWithTheSameKeyStoreExactlyOneFile() throws Exception {
        TestUsers.Account owner = users.user();
        UUID collection = new Knowledge(api).personalCollection(owner, "Busy orchard");
        String key = UUID.randomUUID().toString();
        long storedBefore = storedObjects();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Api.Response>> repeats = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            repeats.add(CompletableFuture.supplyAsync(() -> {
                await(start);
                return upload(owner, collection, CONTENT, key);
            }));
        }
        start.countDown();

        List<Api.Response> answers = new ArrayList<>();
        for (CompletableFuture<Api.Response> repeat : repeats) {
            answers.add(repeat.get(60, TimeUnit.SECONDS));
        }
        assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).as(answer.text()).isEqualTo(202));
        assertThat(answers.stream().map(answer -> answer.json().path("fileId").asString()).distinct()).hasSize(1);
        assertThat(filesIn(collection)).isEqualTo(1);
        assertThat(storedObjects() - storedBefore).as("the copies stored by the losers are deleted again")
                .isEqualTo(1);
    }

    private Api.Response upload(TestUsers.Account user, UUID collection, byte[] content, String key) {
        return api.upload("/api/v1/collections/" + collection + "/files", "quince.txt", content, user.token(),
                Map.of("Idempotency-Key", key));
    }

    private long filesIn(UUID collection) {
        return jdbc.sql("select count(*) from collection_files where collection_id = :c").param("c", collection)
                .query(Long.class).single();
    }

    /** Objects in storage under the files prefix. */
    private long storedObjects() throws IOException {
        return blobs.list(Reconciler.FILES_PREFIX).size();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
