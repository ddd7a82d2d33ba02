package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.Documents;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which model and credential embed a collection's files: chosen by admins (group settings, group credentials,
 * instance credentials only where shared), never a silent fallback; what the user is told when something is missing;
 * and what happens when the choice changes.
 *
 * <p>Tests share one database: each uses its own group, and deletes the instance credentials it creates.
 */
class EmbeddingChoiceTest extends IntegrationTest {

    private static final Duration SETTLE = Duration.ofSeconds(40);
    private static final String INSTANCE_CREDENTIALS = "/api/v1/settings/instance/credentials";

    private Knowledge knowledge;
    private TestUsers.Account admin;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
        admin = users.admin();
    }

    @Test
    void withoutAModelTheUploadFailsAtOnceNamingTheGroupAdmin() {
        UUID group = users.group(admin, "nomodel");
        UUID collection = knowledge.groupCollection(admin, group, "No model");

        Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", "a.txt",
                Documents.text("Kiwi without a model."), admin.token());

        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
        JsonNode body = uploaded.json();
        assertThat(body.path("status").asString()).isEqualTo("failed");
        assertThat(body.path("failureCode").asString()).isEqualTo("embedding_not_configured");
        assertThat(body.path("failureReason").asString()).contains("group admin").contains("embedding.model");
    }

    @Test
    void withAModelButNoCredentialTheUploadFailsNamingWhoMustAddOne() {
        UUID group = users.group(admin, "nocred");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        UUID collection = knowledge.groupCollection(admin, group, "No credential");

        Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", "a.txt",
                Documents.text("Kiwi without a key."), admin.token());

        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
        JsonNode body = uploaded.json();
        assertThat(body.path("status").asString()).isEqualTo("failed");
        assertThat(body.path("failureCode").asString()).isEqualTo("embedding_credential_missing");
        assertThat(body.path("failureReason").asString()).contains("'fake'").contains("group admin")
                .contains("instance admin must share");
    }

    @Test
    void instanceCredentialIsUsedOnlyOnceSharedWithTheGroupAndFailedFilesThenBecomeReady() {
        UUID group = users.group(admin, "shared");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        UUID collection = knowledge.groupCollection(admin, group, "Shared key");
        UUID credential = createInstanceCredential("sk-instance-" + UUID.randomUUID(), List.of());
        try {
            UUID first = knowledge.upload(admin, collection, "first.txt", Documents.text("Mango, first file."));
            assertThat(knowledge.listed(admin, collection, first).path("failureCode").asString())
                    .as("an instance credential nobody shared it with is not used")
                    .isEqualTo("embedding_credential_missing");

            Api.Response shared = api.put(INSTANCE_CREDENTIALS + "/" + credential + "/shares",
                    Map.of("sharedWithAll", false, "sharedWithGroups", List.of(group)), admin.token());
            assertThat(shared.status()).as(shared.text()).isEqualTo(200);

            JsonNode ready = knowledge.await(admin, collection, first,
                    item -> item.path("status").asString().equals("ready"), SETTLE);
            assertThat(ready.path("chunksDone").asInt()).isEqualTo(ready.path("chunksTotal").asInt()).isPositive();
            JsonNode indexes = api.get("/api/v1/files/" + first, admin.token()).json().path("indexes");
            assertThat(indexes.size()).isEqualTo(1);
            assertThat(indexes.get(0).path("credentialId").asString()).isEqualTo(credential.toString());
            assertThat(indexes.get(0).path("model").asString()).isEqualTo("keywords-v1");
            assertThat(knowledge.retrieve(admin, "mango", 1, collection).path("chunks").get(0).path("fileId")
                    .asString()).isEqualTo(first.toString());
        } finally {
            deleteInstanceCredential(credential);
        }
    }

    @Test
    void groupCredentialTakesPrecedenceOverASharedInstanceCredential() {
        UUID group = users.group(admin, "precedence");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        UUID instanceCredential = createInstanceCredential("sk-instance-" + UUID.randomUUID(), List.of(group));
        try {
            UUID groupCredential = knowledge.addGroupCredential(admin, group, "fake", "sk-group-" + UUID.randomUUID());
            UUID collection = knowledge.groupCollection(admin, group, "Own key");

            UUID fileId = knowledge.upload(admin, collection, "own.txt", Documents.text("Papaya with our own key."));

            assertThat(knowledge.awaitSettled(admin, collection, fileId).path("status").asString())
                    .isEqualTo("ready");
            JsonNode indexes = api.get("/api/v1/files/" + fileId, admin.token()).json().path("indexes");
            assertThat(indexes.get(0).path("credentialId").asString()).isEqualTo(groupCredential.toString())
                    .isNotEqualTo(instanceCredential.toString());
        } finally {
            deleteInstanceCredential(instanceCredential);
        }
    }

    @Test
    void builtInModelNeedsNoCredentialAndFindsByMeaning() {
        UUID group = users.group(admin, "local");
        knowledge.setGroupEmbedding(admin, group, "local", "all-minilm-l6-v2");
        UUID collection = knowledge.groupCollection(admin, group, "Built-in");
        int requestsBefore = EMBEDDINGS.requests();

        UUID cats = knowledge.upload(admin, collection, "cats.txt", Documents.text(
                "The cat curled up on the sofa and purred while the kitten chased a ball of yarn."));
        UUID trucks = knowledge.upload(admin, collection, "trucks.txt", Documents.text(
                "Heavy trucks haul freight along the highway; their diesel engines roar up the hills."));

        for (UUID fileId : List.of(cats, trucks)) {
            JsonNode settled = knowledge.awaitSettled(admin, collection, fileId);
            assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
            JsonNode index = api.get("/api/v1/files/" + fileId, admin.token()).json().path("indexes").get(0);
            assertThat(index.path("connection").asString()).isEqualTo("local");
            assertThat(index.path("credentialId").isNull()).as(index.toString()).isTrue();
        }
        JsonNode found = knowledge.retrieve(admin, "felines", 2, collection).path("chunks");
        assertThat(found.size()).isEqualTo(2);
        assertThat(found.get(0).path("fileId").asString()).isEqualTo(cats.toString());
        assertThat(found.get(0).path("score").asDouble()).isGreaterThan(found.get(1).path("score").asDouble());
        assertThat(EMBEDDINGS.requests()).as("the built-in model makes no network call").isEqualTo(requestsBefore);
    }

    @Test
    void ollamaConnectionEmbedsWithoutACredential() {
        UUID group = users.group(admin, "ollama");
        knowledge.setGroupEmbedding(admin, group, "fake-ollama", "keywords-ollama");
        UUID collection = knowledge.groupCollection(admin, group, "Ollama");

        UUID fileId = knowledge.upload(admin, collection, "ollama.txt",
                Documents.text("Saffron threads, then nothing else.\n\nAn unrelated paragraph about weather."));

        JsonNode settled = knowledge.awaitSettled(admin, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        JsonNode found = knowledge.retrieve(admin, "saffron", 1, collection).path("chunks");
        assertThat(found.get(0).path("fileId").asString()).isEqualTo(fileId.toString());
        assertThat(EMBEDDINGS.lastModel()).isEqualTo("keywords-ollama");
    }

    @Test
    void changingTheGroupsModelReindexesInTheBackgroundAndNeverMixesVectors() {
        UUID group = users.group(admin, "switch");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-switch-" + UUID.randomUUID());
        UUID collection = knowledge.groupCollection(admin, group, "Switching");
        UUID fileId = knowledge.upload(admin, collection, "switch.txt", Documents.text(
                "Violin lessons on Monday.\n\n" + "Unrelated filler sentence about the weather. ".repeat(60)));
        JsonNode first = knowledge.awaitSettled(admin, collection, fileId);
        assertThat(first.path("status").asString()).as(first.toString()).isEqualTo("ready");
        int chunks = first.path("chunksTotal").asInt();
        assertThat(chunksIn(fileId, "keywords-v1")).isEqualTo(chunks);

        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v2");

        await().atMost(SETTLE).untilAsserted(() -> {
            JsonNode indexes = api.get("/api/v1/files/" + fileId, admin.token()).json().path("indexes");
            assertThat(indexes.size()).as(indexes.toString()).isEqualTo(1);
            assertThat(indexes.get(0).path("model").asString()).isEqualTo("keywords-v2");
            assertThat(indexes.get(0).path("status").asString()).isEqualTo("ready");
        });
        assertThat(chunksIn(fileId, "keywords-v1")).as("the old model's chunks are gone").isZero();
        assertThat(chunksIn(fileId, "keywords-v2")).isEqualTo(chunks);
        assertThat(knowledge.listed(admin, collection, fileId).path("status").asString()).isEqualTo("ready");
        JsonNode found = knowledge.retrieve(admin, "violin", 3, collection).path("chunks");
        assertThat(EMBEDDINGS.lastModel()).as("the query is embedded with the new model").isEqualTo("keywords-v2");
        assertThat(found.get(0).path("fileId").asString()).isEqualTo(fileId.toString());
        assertThat(found.get(0).path("text").asString()).contains("Violin");
    }

    @Test
    void personalCollectionUsesItsOwnersEffectiveSettings() {
        TestUsers.Account owner = users.user();
        UUID group = users.group(admin, "personal");
        users.member(admin, group, owner, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        UUID credential = knowledge.addGroupCredential(admin, group, "fake", "sk-personal-" + UUID.randomUUID());
        UUID collection = knowledge.personalCollection(owner, "Mine");

        UUID fileId = knowledge.upload(owner, collection, "mine.txt", Documents.text("Granite for my kitchen."));

        JsonNode settled = knowledge.awaitSettled(owner, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        JsonNode index = api.get("/api/v1/files/" + fileId, owner.token()).json().path("indexes").get(0);
        assertThat(index.path("credentialId").asString()).isEqualTo(credential.toString());
        assertThat(knowledge.retrieve(owner, "granite", 1, collection).path("chunks").get(0).path("fileId")
                .asString()).isEqualTo(fileId.toString());
    }

    @Test
    void personalCollectionOfAUserInNoConfiguredGroupFailsNamingWhoMustSetTheModel() {
        TestUsers.Account loner = users.user();
        UUID collection = knowledge.personalCollection(loner, "Alone");

        Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", "a.txt",
                Documents.text("Tundra alone."), loner.token());

        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
        assertThat(uploaded.json().path("status").asString()).isEqualTo("failed");
        assertThat(uploaded.json().path("failureCode").asString()).isEqualTo("embedding_not_configured");
        assertThat(uploaded.json().path("failureReason").asString()).contains("personal collection's owner")
                .contains("instance admin").as("readers of other collections may see the reason")
                .doesNotContain(loner.email());
    }

    // ---------------------------------------------------------------- helpers

    private UUID createInstanceCredential(String secret, List<UUID> groups) {
        Api.Response created = api.post(INSTANCE_CREDENTIALS, Map.of("connection", "fake", "kind", "api_key",
                "name", "Instance embedding key", "secret", secret, "sharedWithAll", false,
                "sharedWithGroups", new ArrayList<>(groups)), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private void deleteInstanceCredential(UUID credential) {
        Api.Response deleted = api.delete(INSTANCE_CREDENTIALS + "/" + credential, admin.token());
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
    }

    private long chunksIn(UUID fileId, String model) {
        return jdbc.sql("""
                        select count(*) from chunks c join embedding_spaces s on s.id = c.space_id
                        where c.file_id = :file and s.connection = 'fake' and s.model = :model""")
                .param("file", fileId).param("model", model).query(Long.class).single();
    }
}
