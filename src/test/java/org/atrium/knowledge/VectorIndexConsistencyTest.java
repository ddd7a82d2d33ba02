package org.atrium.knowledge;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.RequiresPgVector;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two vector indexes answer the same question the same way, and neither returns a chunk whose file is gone, even
 * when the in-process one has the file's vectors in memory.
 */
@RequiresPgVector
class VectorIndexConsistencyTest extends IntegrationTest {

    @Autowired
    private PlatformTransactionManager transactions;

    @Test
    void inProcessAndPgvectorIndexesReturnTheSameChunksAndNeverADeletedFile() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "indexes");
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-index-test");
        knowledge.addGroupCredential(admin, group, "fake", "sk-index-test-0001");
        UUID collection = knowledge.groupCollection(admin, group, "Indexes");
        UUID kiwi = knowledge.upload(admin, collection, "kiwi.txt", ("Kiwi kiwi kiwi.\n\n" + "Tundra and granite. "
                .repeat(150)).getBytes(StandardCharsets.UTF_8));
        UUID mango = knowledge.upload(admin, collection, "mango.txt", ("Mango and saffron.\n\n" + "Violin lichen. "
                .repeat(150)).getBytes(StandardCharsets.UTF_8));
        knowledge.awaitSettled(admin, collection, kiwi);
        knowledge.awaitSettled(admin, collection, mango);
        int space = jdbc.sql("select space_id from collections where id = :id").param("id", collection)
                .query(Integer.class).single();
        int dimensions = jdbc.sql("select dimensions from embedding_spaces where id = :id").param("id", space)
                .query(Integer.class).single();
        PgVectorIndex pgvector = new PgVectorIndex(jdbc, new TransactionTemplate(transactions));
        InProcessVectorIndex inProcess = new InProcessVectorIndex(jdbc, 16L << 20);
        float[] query = EMBEDDINGS.vectorOf("kiwi");

        List<VectorIndex.Hit> fromPg = pgvector.search(space, dimensions, query, List.of(collection), 3);
        List<VectorIndex.Hit> fromMemory = inProcess.search(space, dimensions, query, List.of(collection), 3);

        assertThat(fromMemory).extracting(VectorIndex.Hit::fileId, VectorIndex.Hit::chunkIndex)
                .containsExactlyElementsOf(fromPg.stream()
                        .map(hit -> org.assertj.core.groups.Tuple.tuple(hit.fileId(), hit.chunkIndex())).toList());
        assertThat(fromMemory.getFirst().fileId()).isEqualTo(kiwi);
        for (int i = 0; i < fromPg.size(); i++) {
            assertThat(fromMemory.get(i).score()).isCloseTo(fromPg.get(i).score(),
                    org.assertj.core.data.Offset.offset(1e-4));
        }

        assertThat(api.delete("/api/v1/files/" + kiwi, admin.token()).status()).isEqualTo(204);

        assertThat(inProcess.search(space, dimensions, query, List.of(collection), 3))
                .extracting(VectorIndex.Hit::fileId).doesNotContain(kiwi).isNotEmpty();
        assertThat(pgvector.search(space, dimensions, query, List.of(collection), 3))
                .extracting(VectorIndex.Hit::fileId).doesNotContain(kiwi).isNotEmpty();
        assertThat(inProcess.search(space, dimensions, query, List.of(UUID.randomUUID()), 3)).isEmpty();
    }
}
