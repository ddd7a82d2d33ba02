package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request whose caller is deleted while it runs answers 401, not a 500 from a foreign key: the account's deletion
 * is held open in a real transaction while an upload or an add by that account into someone else's collection waits,
 * then committed.
 */
class VanishedCallerTest extends IntegrationTest {

    @Autowired
    private DataSource dataSource;

    @Test
    void anUploadWhoseCallerIsDeletedMeanwhileAnswers401AndKeepsNothing() throws Exception {
        TestUsers.Account owner = users.user();
        TestUsers.Account writer = users.user();
        UUID collection = sharedCollection(owner, writer, "Shared uploads");

        Api.Response answer = whileDeleting(writer, () -> api.upload("/api/v1/collections/" + collection + "/files",
                "late.txt", "Arrived after its sender left.".getBytes(StandardCharsets.UTF_8), writer.token()));

        assertThat(answer.status()).as(answer.text()).isEqualTo(401);
        assertThat(answer.json().path("code").asString()).isEqualTo("invalid_credentials");
        assertThat(jdbc.sql("select count(*) from collection_files where collection_id = :c")
                .param("c", collection).query(Long.class).single()).isZero();
    }

    @Test
    void anAddWhoseCallerIsDeletedMeanwhileAnswers401() throws Exception {
        TestUsers.Account owner = users.user();
        TestUsers.Account writer = users.user();
        Knowledge knowledge = new Knowledge(api);
        UUID collection = sharedCollection(owner, writer, "Shared adds");
        UUID own = knowledge.personalCollection(writer, "Own");
        UUID file = knowledge.upload(writer, own, "mine.txt", "Cardamom pods.".getBytes(StandardCharsets.UTF_8));

        Api.Response answer = whileDeleting(writer, () -> api.put("/api/v1/collections/" + collection + "/files/"
                + file, null, writer.token()));

        assertThat(answer.status()).as(answer.text()).isEqualTo(401);
        assertThat(answer.json().path("code").asString()).isEqualTo("invalid_credentials");
    }

    private UUID sharedCollection(TestUsers.Account owner, TestUsers.Account writer, String name) {
        UUID collection = new Knowledge(api).personalCollection(owner, name);
        assertThat(api.put("/api/v1/collections/" + collection + "/grants/users/" + writer.id(),
                Map.of("access", "write"), owner.token()).status()).isEqualTo(200);
        return collection;
    }

    /** Deletes the account in a transaction held open until the request waits for it, then commits. */
    private Api.Response whileDeleting(TestUsers.Account account, Supplier<Api.Response> request) throws Exception {
        try (Connection deleting = dataSource.getConnection()) {
            deleting.setAutoCommit(false);
            try (PreparedStatement delete = deleting.prepareStatement("delete from users where id = ?")) {
                delete.setObject(1, account.id());
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
            CompletableFuture<Api.Response> running = CompletableFuture.supplyAsync(request);
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForLocks() > 0);
            assertThat(running).as("the request waits for the deletion").isNotDone();
            deleting.commit();
            return running.get(30, TimeUnit.SECONDS);
        }
    }

    private long waitingForLocks() {
        return jdbc.sql("select count(*) from pg_stat_activity where datname = current_database()"
                + " and wait_event_type = 'Lock'").query(Long.class).single();
    }
}
