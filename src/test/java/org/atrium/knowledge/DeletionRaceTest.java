package org.atrium.knowledge;

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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Races between adding a file to a collection and removing it from its last one, played out with two real
 * transactions in the order that used to lose an acknowledged add, and what a cleared setting does to vectors.
 */
class DeletionRaceTest extends IntegrationTest {

    @Autowired
    private DataSource dataSource;

    @Test
    void aFileAddedWhileItsLastLinkIsRemovedSurvivesWithTheNewLink() throws Exception {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "race");
        Knowledge knowledge = new Knowledge(api);
        UUID first = knowledge.groupCollection(admin, group, "First");
        UUID second = knowledge.groupCollection(admin, group, "Second");
        UUID file = knowledge.upload(admin, first, "race.txt", "Violin strings.".getBytes(StandardCharsets.UTF_8));

        try (Connection adding = dataSource.getConnection(); Connection removing = dataSource.getConnection()) {
            adding.setAutoCommit(false);
            removing.setAutoCommit(false);
            try (PreparedStatement link = adding.prepareStatement(
                    "insert into collection_files (collection_id, file_id) values (?, ?)")) {
                link.setObject(1, second);
                link.setObject(2, file);
                link.executeUpdate();
            }
            CompletableFuture<Void> removal = CompletableFuture.runAsync(() -> {
                try (PreparedStatement unlink = removing.prepareStatement(
                        "delete from collection_files where collection_id = ? and file_id = ?")) {
                    unlink.setObject(1, first);
                    unlink.setObject(2, file);
                    unlink.executeUpdate();
                    removing.commit();
                } catch (Exception failure) {
                    throw new IllegalStateException(failure);
                }
            });
            Thread.sleep(500);
            assertThat(removal).as("the removal waits for the add holding the file").isNotDone();
            adding.commit();
            removal.get(10, TimeUnit.SECONDS);
        }

        assertThat(jdbc.sql("select count(*) from files where id = :f").param("f", file).query(Long.class).single())
                .as("the acknowledged add keeps the file").isEqualTo(1);
        assertThat(jdbc.sql("select collection_id from collection_files where file_id = :f").param("f", file)
                .query(UUID.class).list()).containsExactly(second);
    }

    @Test
    void clearingTheEmbeddingModelKeepsTheVectorsAndRestoringItNeedsNoReembedding() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "cleared");
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-cleared");
        knowledge.addGroupCredential(admin, group, "fake", "sk-cleared-0001");
        UUID collection = knowledge.groupCollection(admin, group, "Kept");
        UUID file = knowledge.upload(admin, collection, "kept.txt", ("Mango trees.\n\n" + "Granite hills. "
                .repeat(100)).getBytes(StandardCharsets.UTF_8));
        knowledge.awaitSettled(admin, collection, file);
        long chunks = chunks(file);

        knowledge.setGroupEmbedding(admin, group, "no-such-connection", "keywords-cleared");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "embedding_connection_unknown"
                .equals(jdbc.sql("select embedding_problem_code from collections where id = :c")
                        .param("c", collection).query(String.class).optional().orElse(null)));
        assertThat(chunks(file)).as("a connection this replica does not know deletes nothing").isEqualTo(chunks);
        assertThat(knowledge.retrieve(admin, "mango", 1, collection).path("skipped").get(0).path("code").asString())
                .isEqualTo("embedding_connection_unknown");

        int requests = EMBEDDINGS.requests();
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-cleared");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql(
                        "select embedding_problem_code is null from collections where id = :c")
                .param("c", collection).query(Boolean.class).single());

        assertThat(knowledge.listed(admin, collection, file).path("status").asString()).isEqualTo("ready");
        assertThat(chunks(file)).isEqualTo(chunks);
        assertThat(knowledge.retrieve(admin, "mango", 1, collection).path("chunks").get(0).path("fileId")
                .asString()).isEqualTo(file.toString());
        assertThat(EMBEDDINGS.requests() - requests).as("only the query was embedded").isLessThanOrEqualTo(1);
    }

    private long chunks(UUID file) {
        return jdbc.sql("select count(*) from chunks where file_id = :f").param("f", file).query(Long.class).single();
    }
}
