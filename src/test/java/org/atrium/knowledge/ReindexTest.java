package org.atrium.knowledge;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** After a model change, search keeps answering from the old model until the collection is re-indexed. */
class ReindexTest extends IntegrationTest {

    @Test
    void retrievalKeepsServingTheOldModelDuringTheReindexAndSwitchesWhenItEnds() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "reindex");
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-old");
        knowledge.addGroupCredential(admin, group, "fake", "sk-reindex-0001");
        UUID collection = knowledge.groupCollection(admin, group, "Reindexed");
        UUID file = knowledge.upload(admin, collection, "papaya.txt", ("Papaya grows in the tropics.\n\n"
                + "Lichen on granite. ".repeat(150)).getBytes(StandardCharsets.UTF_8));
        knowledge.awaitSettled(admin, collection, file);
        int oldSpace = space("space_id", collection);

        EMBEDDINGS.failWhenInputContains("Lichen on granite", 503);
        try {
            knowledge.setGroupEmbedding(admin, group, "fake", "keywords-new");
            await().atMost(Duration.ofSeconds(20)).until(() -> space("space_id", collection) != oldSpace);

            assertThat(space("serving_space_id", collection)).as("still serving the old model").isEqualTo(oldSpace);
            assertThat(knowledge.retrieve(admin, "papaya", 1, collection).path("chunks").get(0).path("fileId")
                    .asString()).isEqualTo(file.toString());
        } finally {
            EMBEDDINGS.stopFailingWhenInputContains("Lichen on granite");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> space("serving_space_id", collection) != oldSpace);

        assertThat(knowledge.listed(admin, collection, file).path("status").asString()).isEqualTo("ready");
        assertThat(jdbc.sql("select count(*) from chunks where space_id = :s").param("s", oldSpace)
                .query(Long.class).single()).as("the old model's vectors are gone").isZero();
        assertThat(knowledge.retrieve(admin, "papaya", 1, collection).path("chunks").get(0).path("fileId")
                .asString()).isEqualTo(file.toString());
    }

    private int space(String column, UUID collection) {
        return jdbc.sql("select " + column + " from collections where id = :c").param("c", collection)
                .query(Integer.class).single();
    }
}
