package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.Cluster;
import org.atrium.testing.FakeEmbeddingServer;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis down means slower, not wrong, for knowledge too: uploads are accepted, ingestion finishes (its live events are
 * dropped, the API stays the truth), retrieval answers, and deletion leaves nothing behind, on two real replicas
 * whose Redis is stopped.
 */
class KnowledgeRedisOutageTest {

    @TempDir
    Path sharedDataDir;

    @Test
    void withRedisStoppedFilesAreUploadedIngestedRetrievedAndDeletedOnEveryReplica() {
        try (FakeEmbeddingServer embeddings = FakeEmbeddingServer.withKeywords("kiwi", "mango", "granite");
             Cluster cluster = Cluster.start("kredis", 2, Map.of(
                     "ATRIUM_PROVIDERS_CONNECTIONS_FAKE_TYPE", "openai",
                     "ATRIUM_PROVIDERS_CONNECTIONS_FAKE_BASE_URL", embeddings.openAiBaseUrl(),
                     "ATRIUM_KNOWLEDGE_GARBAGE_INTERVAL", "1s",
                     // Local storage shared by the replicas, as a volume they all mount would be.
                     "ATRIUM_DATA_DIR", sharedDataDir.toString()))) {
            Api first = cluster.api(0);
            Api second = cluster.api(1);
            String admin = first.post("/api/v1/auth/signup", Map.of("email", TestUsers.uniqueEmail("outage"),
                    "name", "Admin", "password", TestUsers.PASSWORD), null).json().path("token").asString();
            UUID group = UUID.fromString(first.post("/api/v1/groups", Map.of("name", "Outage"), admin).json()
                    .path("id").asString());
            assertThat(first.put("/api/v1/groups/" + group + "/settings", Map.of("settings", Map.of(
                    "embedding.connection", "fake", "embedding.model", "keywords")), admin).status()).isEqualTo(200);
            assertThat(first.post("/api/v1/groups/" + group + "/credentials", Map.of("connection", "fake", "kind",
                    "api_key", "name", "Key", "secret", "sk-outage-0001"), admin).status()).isEqualTo(201);
            String collection = first.post("/api/v1/collections", Map.of("name", "Outage", "groupId", group), admin)
                    .json().path("id").asString();

            assertThat(cluster.outputs()).as("local storage in cluster mode is only right on a shared volume")
                    .contains("storage.local_in_cluster");
            cluster.stopRedis();
            Api.Response uploaded = first.upload("/api/v1/collections/" + collection + "/files", "kiwi.txt",
                    ("Kiwi vines.\n\n" + "Granite walls. ".repeat(100)).getBytes(StandardCharsets.UTF_8), admin);
            assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
            String fileId = uploaded.json().path("fileId").asString();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> status(second, collection, fileId, admin)
                        .equals("ready"));
            } catch (RuntimeException notReady) {
                throw new AssertionError("not ready; last status " + status(second, collection, fileId, admin)
                        + "\n" + cluster.outputs(), notReady);
            }
            JsonNode found = second.post("/api/v1/retrieval", Map.of("query", "kiwi", "collectionIds",
                    List.of(collection), "topK", 1), admin).json();
            assertThat(found.path("chunks").get(0).path("fileId").asString()).isEqualTo(fileId);

            assertThat(second.delete("/api/v1/files/" + fileId, admin).status()).isEqualTo(204);

            assertThat(first.get("/api/v1/files/" + fileId, admin).status()).isEqualTo(404);
            assertThat(first.post("/api/v1/retrieval", Map.of("query", "kiwi", "collectionIds",
                    List.of(collection), "topK", 1), admin).json().path("chunks").size()).isZero();
            JdbcClient jdbc = JdbcClient.create(new DriverManagerDataSource(cluster.database().jdbcUrl(),
                    cluster.database().user(), cluster.database().password()));
            assertThat(jdbc.sql("select count(*) from chunks").query(Long.class).single()).isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("select count(*) from storage_garbage")
                    .query(Long.class).single() == 0);
        }
    }

    private static String status(Api api, String collection, String fileId, String token) {
        for (JsonNode item : api.get("/api/v1/collections/" + collection + "/files", token).json().path("items")) {
            if (item.path("fileId").asString().equals(fileId)) {
                return item.path("status").asString();
            }
        }
        return "missing";
    }
}
