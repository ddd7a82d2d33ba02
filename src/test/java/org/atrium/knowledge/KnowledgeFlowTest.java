package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole path of a file: upload, background ingestion, retrieval, download, removal from every store. */
class KnowledgeFlowTest extends IntegrationTest {

    private Knowledge knowledge;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
    }

    @Test
    void uploadedFileIsIngestedRetrievedAndRemovedFromEveryStore() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        UUID group = users.group(admin, "flow");
        users.member(admin, group, member, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-flow-secret-1234");
        UUID collection = knowledge.groupCollection(admin, group, "Fruit");
        String text = "Kiwi orchards need shelter.\n\n" + "Granite quarries are loud. ".repeat(200)
                + "\n\nThe mango harvest starts in June.";

        UUID fileId = knowledge.upload(admin, collection, "../../etc/fruit notes.txt",
                text.getBytes(StandardCharsets.UTF_8));
        JsonNode settled = knowledge.awaitSettled(member, collection, fileId);

        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        assertThat(settled.path("name").asString()).isEqualTo("fruit notes.txt");
        assertThat(settled.path("chunksTotal").asInt()).isGreaterThan(1);
        assertThat(settled.path("chunksDone").asInt()).isEqualTo(settled.path("chunksTotal").asInt());
        JsonNode found = knowledge.retrieve(member, "mango", 3, collection);
        assertThat(found.path("chunks").get(0).path("text").asString()).containsIgnoringCase("mango");
        assertThat(found.path("chunks").get(0).path("fileId").asString()).isEqualTo(fileId.toString());
        assertThat(api.download("/api/v1/files/" + fileId + "/content", member.token()))
                .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        String storageKey = jdbc.sql("select storage_key from files where id = :id").param("id", fileId)
                .query(String.class).single();

        Api.Response removed = api.delete("/api/v1/collections/" + collection + "/files/" + fileId, admin.token());

        assertThat(removed.status()).isEqualTo(204);
        assertThat(knowledge.listed(member, collection, fileId)).isNull();
        assertThat(knowledge.retrieve(member, "mango", 3, collection).path("chunks").size()).isZero();
        assertThat(api.get("/api/v1/files/" + fileId, admin.token()).status()).isEqualTo(404);
        assertThat(jdbc.sql("select count(*) from chunks where file_id = :id").param("id", fileId)
                .query(Long.class).single()).isZero();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc.sql(
                "select count(*) from storage_garbage where storage_key = :key").param("key", storageKey)
                .query(Long.class).single()).isZero());
        assertThat(api.delete("/api/v1/collections/" + collection + "/files/" + fileId, admin.token()).status())
                .isEqualTo(204);
    }
}
