package org.atrium.knowledge;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconciler's safety net for indexes: a lost index is built again, a lost job is queued again. */
class ReconcilerTest extends IntegrationTest {

    @Autowired
    private Reconciler reconciler;

    @Test
    void aLostIndexAndALostJobAreRepairedAndTheFileEndsReadyWithTheSameChunks() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "reconcile");
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-reconcile");
        knowledge.addGroupCredential(admin, group, "fake", "sk-reconcile-0001");
        UUID collection = knowledge.groupCollection(admin, group, "Reconciled");
        UUID file = knowledge.upload(admin, collection, "saffron.txt", ("Saffron is a spice.\n\n"
                + "Tundra winds are cold. ".repeat(120)).getBytes(StandardCharsets.UTF_8));
        int chunks = knowledge.awaitSettled(admin, collection, file).path("chunksTotal").asInt();

        jdbc.sql("delete from file_indexes where file_id = :f").param("f", file).update();
        assertThat(knowledge.listed(admin, collection, file).path("status").asString()).isEqualTo("failed");
        reconciler.repair();
        JsonNode rebuilt = knowledge.await(admin, collection, file,
                item -> item.path("status").asString().equals("ready"), Duration.ofSeconds(30));

        assertThat(rebuilt.path("chunksTotal").asInt()).isEqualTo(chunks);

        jdbc.sql("update file_indexes set status = 'queued' where file_id = :f").param("f", file).update();
        reconciler.repair();
        JsonNode requeued = knowledge.await(admin, collection, file,
                item -> item.path("status").asString().equals("ready"), Duration.ofSeconds(30));

        assertThat(requeued.path("chunksDone").asInt()).isEqualTo(chunks);
        assertThat(jdbc.sql("select count(*) from chunks where file_id = :f").param("f", file).query(Long.class)
                .single()).isEqualTo(chunks);
    }
}
