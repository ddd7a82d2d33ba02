package org.atrium.knowledge;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A file that failed because the provider refused the group's key is ingested again once an admin replaces the key. */
class CredentialReplacementTest extends IntegrationTest {

    @Test
    void fileRefusedWithAWrongKeyIsIngestedAgainWhenTheGroupGetsAnotherKey() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "rekey");
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-rekey");
        UUID wrong = knowledge.addGroupCredential(admin, group, "fake", "sk-wrong-key-0001");
        UUID collection = knowledge.groupCollection(admin, group, "Rekeyed");
        EMBEDDINGS.requireBearer("sk-right-key-0002");
        try {
            UUID file = knowledge.upload(admin, collection, "lichen.txt",
                    "Lichen grows on granite.".getBytes(StandardCharsets.UTF_8));
            JsonNode refused = knowledge.awaitSettled(admin, collection, file);
            assertThat(refused.path("status").asString()).isEqualTo("failed");
            assertThat(refused.path("failureCode").asString()).isEqualTo("embedding_failed");

            assertThat(api.delete("/api/v1/groups/" + group + "/credentials/" + wrong, admin.token()).status())
                    .isEqualTo(204);
            UUID right = knowledge.addGroupCredential(admin, group, "fake", "sk-right-key-0002");

            JsonNode ready = knowledge.await(admin, collection, file,
                    item -> item.path("status").asString().equals("ready"), Duration.ofSeconds(30));
            assertThat(ready.path("chunksDone").asInt()).isPositive();
            assertThat(api.get("/api/v1/files/" + file, admin.token()).json().path("indexes").get(0)
                    .path("credentialId").asString()).isEqualTo(right.toString());
        } finally {
            EMBEDDINGS.requireBearer(null);
        }
    }
}
