package org.atrium.knowledge;

import org.atrium.platform.AtriumProperties;
import org.atrium.storage.StorageProperties;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every way a file can go (removal from its last collection, delete file, delete collection, delete user, delete
 * group) leaves nothing in any store: rows, chunks and vectors, queued jobs, stored bytes; and a file another
 * collection still holds survives. Deleting twice is harmless, and a delete during ingestion stops it for good.
 *
 * <p>Tests share one database: each creates its own accounts, groups and collections, and sets embedding on its own
 * groups only.
 */
@ExtendWith(OutputCaptureExtension.class)
class DeletionTest extends IntegrationTest {

    private static final Duration BYTES_GONE_WITHIN = Duration.ofSeconds(20);

    @Autowired
    private AtriumProperties atrium;

    @Autowired
    private StorageProperties storage;

    private Knowledge knowledge;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
    }

    /** A group whose admins chose the fake keyword model and gave it a credential, with one collection. */
    private record Team(TestUsers.Account admin, UUID group, UUID collection) {
    }

    /** A file that was ingested, with where its bytes are. */
    private record Stored(UUID id, String storageKey, Path object) {
    }

    private Team team(String hint) {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, hint);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-" + hint + "-secret-1234");
        return new Team(admin, group, knowledge.groupCollection(admin, group, hint + " shelf"));
    }

    private Stored readyFile(TestUsers.Account uploader, UUID collection, String text) {
        UUID fileId = knowledge.upload(uploader, collection, "notes.txt", text.getBytes(StandardCharsets.UTF_8));
        JsonNode settled = knowledge.awaitSettled(uploader, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        assertThat(count("chunks", fileId)).isPositive();
        String key = jdbc.sql("select storage_key from files where id = :f").param("f", fileId)
                .query(String.class).single();
        Path object = storageRoot().resolve(key);
        assertThat(object).as("the bytes are in local storage").exists();
        return new Stored(fileId, key, object);
    }

    private static String text(String keyword) {
        return keyword + " first.\n\n" + "Granite paving stones. ".repeat(120) + "\n\n" + keyword + " last.";
    }

    // ------------------------------------------------------------------ remove from collection

    @Test
    void removingAFileFromItsLastCollectionDeletesItFromEveryStore() {
        Team team = team("remove-last");
        Stored file = readyFile(team.admin(), team.collection(), text("Kiwi"));

        Api.Response removed = api.delete(collectionFile(team.collection(), file.id()), team.admin().token());

        assertThat(removed.status()).as(removed.text()).isEqualTo(204);
        assertGoneEverywhere(file, team.admin());
        assertAbsentFrom(team.admin(), team.collection(), file.id(), "kiwi");
        assertThat(api.delete(collectionFile(team.collection(), file.id()), team.admin().token()).status())
                .as("removing twice is harmless").isEqualTo(204);
    }

    @Test
    void removingAFileFromOneOfItsCollectionsKeepsItWhollyInTheOther() {
        Team team = team("remove-one");
        UUID other = knowledge.groupCollection(team.admin(), team.group(), "second shelf");
        Stored file = readyFile(team.admin(), team.collection(), text("Mango"));
        assertThat(api.put(collectionFile(other, file.id()), null, team.admin().token()).status()).isEqualTo(200);
        long chunks = count("chunks", file.id());

        Api.Response removed = api.delete(collectionFile(team.collection(), file.id()), team.admin().token());

        assertThat(removed.status()).isEqualTo(204);
        assertAbsentFrom(team.admin(), team.collection(), file.id(), "mango");
        assertThat(knowledge.listed(team.admin(), other, file.id()).path("status").asString()).isEqualTo("ready");
        assertThat(count("chunks", file.id())).isEqualTo(chunks);
        assertThat(count("files", file.id())).isEqualTo(1);
        assertThat(knowledge.retrieve(team.admin(), "mango", 3, other).path("chunks").get(0).path("fileId")
                .asString()).isEqualTo(file.id().toString());
        assertThat(api.download("/api/v1/files/" + file.id() + "/content", team.admin().token()))
                .isEqualTo(text("Mango").getBytes(StandardCharsets.UTF_8));
        sleep(Duration.ofSeconds(3));
        assertThat(file.object()).as("bytes of a file still held are never collected").exists();

        assertThat(api.delete(collectionFile(other, file.id()), team.admin().token()).status()).isEqualTo(204);
        assertGoneEverywhere(file, team.admin());
    }

    // ------------------------------------------------------------------ delete file

    @Test
    void theUploaderDeletesAFileFromEveryCollectionButAReaderWhoDidNotUploadItMayNot() {
        Team team = team("delete-file");
        TestUsers.Account uploader = users.user();
        TestUsers.Account reader = users.user();
        users.member(team.admin(), team.group(), uploader, "member");
        users.member(team.admin(), team.group(), reader, "member");
        UUID other = knowledge.groupCollection(team.admin(), team.group(), "second shelf");
        grant(team.admin(), team.collection(), uploader);
        grant(team.admin(), other, uploader);
        Stored file = readyFile(uploader, team.collection(), text("Papaya"));
        assertThat(api.put(collectionFile(other, file.id()), null, uploader.token()).status()).isEqualTo(200);

        Api.Response refused = api.delete("/api/v1/files/" + file.id(), reader.token());

        assertThat(refused.status()).as(refused.text()).isEqualTo(403);
        assertThat(refused.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(count("files", file.id())).isEqualTo(1);
        assertThat(file.object()).exists();

        Api.Response deleted = api.delete("/api/v1/files/" + file.id(), uploader.token());

        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertGoneEverywhere(file, team.admin());
        assertAbsentFrom(reader, team.collection(), file.id(), "papaya");
        assertAbsentFrom(reader, other, file.id(), "papaya");
        assertThat(api.delete("/api/v1/files/" + file.id(), uploader.token()).status())
                .as("deleting twice is harmless").isEqualTo(204);
    }

    @Test
    void anInstanceAdminDeletesAnyFile() {
        Team team = team("admin-delete");
        Stored file = readyFile(team.admin(), team.collection(), text("Lichen"));
        TestUsers.Account anotherAdmin = users.admin();

        Api.Response deleted = api.delete("/api/v1/files/" + file.id(), anotherAdmin.token());

        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertGoneEverywhere(file, team.admin());
        assertAbsentFrom(team.admin(), team.collection(), file.id(), "lichen");
        assertThat(api.delete("/api/v1/files/" + file.id(), anotherAdmin.token()).status()).isEqualTo(204);
    }

    // ------------------------------------------------------------------ delete collection, user, group

    @Test
    void deletingACollectionDeletesTheFilesOnlyItHeldAndTheGroupCanCreateItAgain() {
        Team team = team("delete-collection");
        UUID other = knowledge.groupCollection(team.admin(), team.group(), "second shelf");
        Stored onlyHere = readyFile(team.admin(), team.collection(), text("Violin"));
        Stored shared = readyFile(team.admin(), team.collection(), text("Saffron"));
        assertThat(api.put(collectionFile(other, shared.id()), null, team.admin().token()).status()).isEqualTo(200);
        long sharedChunks = count("chunks", shared.id());

        Api.Response deleted = api.delete("/api/v1/collections/" + team.collection(), team.admin().token());

        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertGoneEverywhere(onlyHere, team.admin());
        assertThat(api.get("/api/v1/collections/" + team.collection() + "/files", team.admin().token()).status())
                .isEqualTo(404);
        assertThat(count("chunks", shared.id())).isEqualTo(sharedChunks);
        assertThat(knowledge.listed(team.admin(), other, shared.id()).path("status").asString())
                .isEqualTo("ready");
        assertThat(shared.object()).exists();
        assertThat(api.delete("/api/v1/collections/" + team.collection(), team.admin().token()).status())
                .as("deleting twice is harmless").isEqualTo(204);

        UUID again = knowledge.groupCollection(team.admin(), team.group(), "delete-collection shelf");
        Stored reAdded = readyFile(team.admin(), again, text("Violin"));
        JsonNode found = knowledge.retrieve(team.admin(), "violin", 3, again);
        assertThat(found.path("chunks").get(0).path("fileId").asString()).isEqualTo(reAdded.id().toString());
    }

    @Test
    void deletingAUserDeletesTheFilesOfTheirPersonalCollections() {
        Team team = team("delete-user");
        TestUsers.Account owner = users.user();
        users.member(team.admin(), team.group(), owner, "member");
        UUID personal = knowledge.personalCollection(owner, "My notes");
        Stored file = readyFile(owner, personal, text("Tundra"));

        Api.Response deleted = api.delete("/api/v1/users/" + owner.id(), team.admin().token());

        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertThat(count("collections", "id", personal)).isZero();
        assertGoneEverywhere(file, team.admin());
    }

    @Test
    void deletingAGroupDeletesTheFilesOfItsCollections() {
        Team team = team("delete-group");
        UUID other = knowledge.groupCollection(team.admin(), team.group(), "second shelf");
        Stored first = readyFile(team.admin(), team.collection(), text("Kiwi"));
        Stored second = readyFile(team.admin(), other, text("Mango"));
        Team survivor = team("group-survivor");
        assertThat(api.put(collectionFile(survivor.collection(), first.id()), null, team.admin().token()).status())
                .as("an instance admin may add any file").isEqualTo(200);
        knowledge.awaitSettled(survivor.admin(), survivor.collection(), first.id());

        Api.Response deleted = api.delete("/api/v1/groups/" + team.group(), team.admin().token());

        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        assertThat(count("collections", "owner_group_id", team.group())).isZero();
        assertGoneEverywhere(second, team.admin());
        assertThat(knowledge.listed(survivor.admin(), survivor.collection(), first.id()).path("status").asString())
                .as("a file another group's collection holds survives").isEqualTo("ready");
        assertThat(count("chunks", first.id())).isPositive();
        assertThat(first.object()).exists();
    }

    // ------------------------------------------------------------------ delete during ingestion

    @Test
    void aDeleteDuringIngestionStopsItAndNothingIsWrittenForTheFileAfterwards(CapturedOutput output) {
        Team team = team("delete-ingesting");
        Duration delay = Duration.ofSeconds(3);
        UUID fileId;
        String key;
        try {
            EMBEDDINGS.delayEachRequest(delay);
            fileId = knowledge.upload(team.admin(), team.collection(), "slow.txt",
                    text("Papaya").getBytes(StandardCharsets.UTF_8));
            key = jdbc.sql("select storage_key from files where id = :f").param("f", fileId)
                    .query(String.class).single();
            knowledge.await(team.admin(), team.collection(), fileId,
                    item -> item.path("status").asString().equals("embedding"), Duration.ofSeconds(30));

            Api.Response deleted = api.delete("/api/v1/files/" + fileId, team.admin().token());

            assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
            assertThat(count("chunks", fileId)).isZero();
            // Long enough for the embedding request in flight to be answered and its batch to try its write.
            sleep(delay.plusSeconds(3));
        } finally {
            EMBEDDINGS.delayEachRequest(Duration.ZERO);
        }
        Stored file = new Stored(fileId, key, storageRoot().resolve(key));
        assertGoneEverywhere(file, team.admin());
        assertAbsentFrom(team.admin(), team.collection(), fileId, "papaya");
        String id = fileId.toString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(output.getAll().lines()
                .filter(line -> line.contains(id) && line.contains("file.ingest.abandoned")))
                .as("the running job noticed the delete and stopped").isNotEmpty());
        assertThat(output.getAll().lines().filter(line -> line.contains(id)
                && line.contains("file.ingest.completed"))).isEmpty();
        assertThat(count("chunks", fileId)).as("still nothing, after the in-flight batch").isZero();
    }

    // ------------------------------------------------------------------ assertions

    /** Nothing of the file is left: API, rows, chunks, jobs, and (within a bound) its bytes and their outbox row. */
    private void assertGoneEverywhere(Stored file, TestUsers.Account admin) {
        assertThat(api.get("/api/v1/files/" + file.id(), admin.token()).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/files/" + file.id() + "/content", admin.token()).status()).isEqualTo(404);
        assertThat(count("files", file.id())).isZero();
        assertThat(count("collection_files", file.id())).isZero();
        assertThat(count("file_indexes", file.id())).isZero();
        assertThat(count("chunks", file.id())).isZero();
        await().atMost(BYTES_GONE_WITHIN).untilAsserted(() -> {
            assertThat(jdbc.sql("select count(*) from scheduled_tasks where task_name = 'knowledge-ingest'"
                            + " and task_instance like :f").param("f", file.id() + ":%").query(Long.class).single())
                    .as("no ingestion job is left for the file").isZero();
            assertThat(file.object()).as("the stored bytes").doesNotExist();
            assertThat(jdbc.sql("select count(*) from storage_garbage where storage_key = :k")
                    .param("k", file.storageKey()).query(Long.class).single()).as("the outbox drained").isZero();
        });
    }

    /** The file is neither listed in the collection nor found by retrieval in it. */
    private void assertAbsentFrom(TestUsers.Account viewer, UUID collection, UUID fileId, String query) {
        assertThat(knowledge.listed(viewer, collection, fileId)).isNull();
        knowledge.retrieve(viewer, query, 100, collection).path("chunks").forEach(chunk ->
                assertThat(chunk.path("fileId").asString()).isNotEqualTo(fileId.toString()));
    }

    private Path storageRoot() {
        return storage.local().directoryOrDefault(atrium.dataDir());
    }

    private void grant(TestUsers.Account manager, UUID collection, TestUsers.Account user) {
        Api.Response granted = api.put("/api/v1/collections/" + collection + "/grants/users/" + user.id(),
                Map.of("access", "write"), manager.token());
        assertThat(granted.status()).as(granted.text()).isEqualTo(200);
    }

    private long count(String table, UUID fileId) {
        return count(table, table.equals("files") ? "id" : "file_id", fileId);
    }

    private long count(String table, String column, UUID id) {
        return jdbc.sql("select count(*) from " + table + " where " + column + " = :id").param("id", id)
                .query(Long.class).single();
    }

    private static String collectionFile(UUID collection, UUID fileId) {
        return "/api/v1/collections/" + collection + "/files/" + fileId;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
