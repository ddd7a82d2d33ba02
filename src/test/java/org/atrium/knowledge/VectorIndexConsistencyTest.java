package org.atrium.knowledge;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.RequiresPgVector;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
    @Autowired
    private JsonMapper json;

    @Test
    void inProcessAndPgvectorIndexesReturnTheSameChunksAndNeverADeletedFile() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "indexes");
        Knowledge knowledge = knowledge(admin, group, "sk-index-test-0001");
        UUID collection = knowledge.groupCollection(admin, group, "Indexes");
        UUID kiwi = knowledge.upload(admin, collection, "kiwi.txt", ("Kiwi kiwi kiwi.\n\n" + "Tundra and granite. "
                .repeat(150)).getBytes(StandardCharsets.UTF_8));
        UUID mango = knowledge.upload(admin, collection, "mango.txt", ("Mango and saffron.\n\n" + "Violin lichen. "
                .repeat(150)).getBytes(StandardCharsets.UTF_8));
        knowledge.awaitSettled(admin, collection, kiwi);
        knowledge.awaitSettled(admin, collection, mango);
        int space = spaceOf(collection);
        int dimensions = dimensionsOf(space);
        // The same search code with the two thresholds, so that both paths run on the same data.
        PgVectorIndex exact = new PgVectorIndex(jdbc, new TransactionTemplate(transactions), json, Long.MAX_VALUE,
                640, 24, 128);
        PgVectorIndex walked = new PgVectorIndex(jdbc, new TransactionTemplate(transactions), json, 0, 640, 24,
                128);
        InProcessVectorIndex inProcess = new InProcessVectorIndex(jdbc, 16L << 20, exact);
        float[] query = EMBEDDINGS.vectorOf("kiwi");
        SearchScope scope = new SearchScope(space, dimensions, List.of(collection), Map.of());

        List<VectorIndex.Hit> fromExact = exact.search(scope, query, 3);
        List<VectorIndex.Hit> fromIndex = walked.search(scope, query, 3);
        List<VectorIndex.Hit> fromMemory = inProcess.search(scope, query, 3);

        // The plans are forced with planner settings whose disabled costs pass jit_above_cost: the functions must
        // not compile them (that took 70 ms for a search that runs in one), whatever the caller's connection says.
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            jdbc.sql("set local jit = on").update();
            jdbc.sql("set local jit_above_cost = 0").update();
            assertThat(exact.explain(scope, query, 3)).startsWith("EXACT").doesNotContain("hnsw").doesNotContain("JIT");
            assertThat(walked.explain(scope, query, 3)).startsWith("INDEX")
                    .contains("Index Scan using chunk_vectors_" + space + "_hnsw").doesNotContain("JIT");
        });
        assertThat(jdbc.sql("show jit").query(String.class).single()).as("Atrium's connections run without the JIT")
                .isEqualTo("off");
        for (List<VectorIndex.Hit> other : List.of(fromIndex, fromMemory)) {
            assertThat(other).extracting(VectorIndex.Hit::fileId, VectorIndex.Hit::chunkIndex)
                    .containsExactlyElementsOf(fromExact.stream()
                            .map(hit -> org.assertj.core.groups.Tuple.tuple(hit.fileId(), hit.chunkIndex())).toList());
            for (int i = 0; i < fromExact.size(); i++) {
                assertThat(other.get(i).score()).isCloseTo(fromExact.get(i).score(),
                        org.assertj.core.data.Offset.offset(1e-4));
            }
        }
        assertThat(fromMemory.getFirst().fileId()).isEqualTo(kiwi);

        assertThat(api.delete("/api/v1/files/" + kiwi, admin.token()).status()).isEqualTo(204);

        for (VectorIndex index : List.of(exact, walked, inProcess)) {
            assertThat(index.search(scope, query, 3)).extracting(VectorIndex.Hit::fileId).doesNotContain(kiwi)
                    .isNotEmpty();
        }
        assertThat(inProcess.search(new SearchScope(space, dimensions, List.of(UUID.randomUUID()), Map.of()),
                query, 3)).isEmpty();
    }

    @Test
    void aScopeWithMoreChunksThanTheThresholdWalksTheIndexAndASmallerOneIsComparedExactly() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "plans");
        Knowledge knowledge = knowledge(admin, group, "sk-index-test-0002");
        UUID large = knowledge.groupCollection(admin, group, "Large");
        UUID small = knowledge.groupCollection(admin, group, "Small");
        UUID book = knowledge.upload(admin, large, "book.txt", "Granite tundra and violin lichen. ".repeat(1500)
                .getBytes(StandardCharsets.UTF_8));
        UUID note = knowledge.upload(admin, small, "note.txt", "Kiwi and mango.".getBytes(StandardCharsets.UTF_8));
        JsonNode bookState = knowledge.awaitSettled(admin, large, book);
        knowledge.awaitSettled(admin, small, note);
        int chunks = bookState.path("chunksTotal").asInt();
        assertThat(chunks).isGreaterThan(20);
        int space = spaceOf(large);
        int dimensions = dimensionsOf(space);
        PgVectorIndex index = new PgVectorIndex(jdbc, new TransactionTemplate(transactions), json, 20, 640, 24,
                128);
        float[] query = EMBEDDINGS.vectorOf("violin");

        String largePlan = index.explain(new SearchScope(space, dimensions, List.of(large), Map.of()), query, 5);
        String smallPlan = index.explain(new SearchScope(space, dimensions, List.of(small), Map.of()), query, 5);

        assertThat(largePlan).startsWith("INDEX").contains("Index Scan using chunk_vectors_" + space + "_hnsw");
        assertThat(smallPlan).startsWith("EXACT").doesNotContain("hnsw");
        assertThat(index.search(new SearchScope(space, dimensions, List.of(large), Map.of()), query, 5))
                .hasSize(5).extracting(VectorIndex.Hit::fileId).containsOnly(book);
        assertThat(index.search(new SearchScope(space, dimensions, List.of(small), Map.of()), query, 5))
                .extracting(VectorIndex.Hit::fileId).containsExactly(note);
    }

    @Test
    void aScopeFoundTooLargeForTheExactPathIsWalkedAtOnceNextTimeAndStillYieldsOnlyChunksInScope() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "known-large");
        Knowledge knowledge = knowledge(admin, group, "sk-index-test-0004");
        UUID shelf = knowledge.groupCollection(admin, group, "Shrinking");
        UUID book = knowledge.upload(admin, shelf, "book.txt", "Granite tundra and violin lichen. ".repeat(1500)
                .getBytes(StandardCharsets.UTF_8));
        UUID note = knowledge.upload(admin, shelf, "note.txt", "Violin and mango.".getBytes(StandardCharsets.UTF_8));
        UUID small = knowledge.groupCollection(admin, group, "Small");
        UUID card = knowledge.upload(admin, small, "card.txt", "Violin and kiwi.".getBytes(StandardCharsets.UTF_8));
        knowledge.awaitSettled(admin, shelf, book);
        knowledge.awaitSettled(admin, shelf, note);
        knowledge.awaitSettled(admin, small, card);
        int space = spaceOf(shelf);
        int dimensions = dimensionsOf(space);
        PgVectorIndex index = new PgVectorIndex(jdbc, new TransactionTemplate(transactions), json, 20, 640, 24,
                128);
        SearchScope shelfScope = new SearchScope(space, dimensions, List.of(shelf), Map.of());
        SearchScope smallScope = new SearchScope(space, dimensions, List.of(small), Map.of());
        float[] query = EMBEDDINGS.vectorOf("violin");

        assertThat(index.knownLarge(shelfScope, 5)).isFalse();
        assertThat(index.search(shelfScope, query, 5)).hasSize(5);
        assertThat(index.search(smallScope, query, 5)).extracting(VectorIndex.Hit::fileId).containsExactly(card);
        assertThat(index.knownLarge(shelfScope, 5)).as("walked: remembered").isTrue();
        assertThat(index.knownLarge(shelfScope, 4)).as("a walk for 5 is a walk for fewer").isTrue();
        assertThat(index.knownLarge(shelfScope, 6)).as("more may have been compared exactly").isFalse();
        assertThat(index.knownLarge(smallScope, 5)).as("compared exactly: counted again next time").isFalse();

        // The scope shrinks below the exact path's limit: counted afresh it would be compared exactly; remembered as
        // large it is walked, and the walk checks every candidate against the scope as it is now.
        assertThat(api.delete("/api/v1/collections/" + shelf + "/files/" + book, admin.token()).status())
                .isEqualTo(204);
        assertThat(index.explain(shelfScope, query, 5)).startsWith("EXACT");
        assertThat(index.search(shelfScope, query, 5)).extracting(VectorIndex.Hit::fileId).containsOnly(note)
                .isNotEmpty();
        assertThat(api.delete("/api/v1/collections/" + shelf + "/files/" + note, admin.token()).status())
                .isEqualTo(204);
        assertThat(index.search(shelfScope, query, 5)).isEmpty();

        // The function itself: told the scope is large it walks (its rows say not exact), otherwise it chooses.
        String sql = "select distinct exact from search_chunk_vectors(:space, cast(:q as vector), 5, :collections,"
                + " null, null, 20, 1000, 640, :knownLarge)";
        for (boolean knownLarge : List.of(true, false)) {
            assertThat(jdbc.sql(sql).param("space", space).param("q", PgVectorIndex.literal(query))
                    .param("collections", new UUID[]{small}).param("knownLarge", knownLarge)
                    .query(Boolean.class).list()).as("known large: %s", knownLarge).containsExactly(!knownLarge);
        }
        assertThat(jdbc.sql(sql.replace(", :knownLarge)", ")")).param("space", space)
                .param("q", PgVectorIndex.literal(query)).param("collections", new UUID[]{small})
                .query(Boolean.class).list()).as("the previous release's form chooses").containsExactly(true);
    }

    @Test
    void spacesOf2001To4000DimensionsAreIndexedOverHalfPrecisionAndTheirWalkUsesThatIndex() {
        // Space ids no embedding space has: the tables are created and dropped here.
        int halves = 900_000 + (int) (System.nanoTime() % 1000);
        int none = halves + 1000;
        try {
            for (int space : List.of(halves, none)) {
                assertThat(jdbc.sql("select create_chunk_vectors(:s, :d, true, 16, 64)").param("s", space)
                        .param("d", space == halves ? 3072 : 4001).query(Boolean.class).single())
                        .as("the table did not exist").isFalse();
            }

            assertThat(jdbc.sql("select indexdef from pg_indexes where indexname = :i")
                    .param("i", "chunk_vectors_" + halves + "_hnsw").query(String.class).single())
                    .contains("USING hnsw").contains("halfvec(3072)").contains("halfvec_cosine_ops")
                    .contains("m='16'").contains("ef_construction='64'");
            assertThat(jdbc.sql("select count(*) from pg_indexes where indexname = :i")
                    .param("i", "chunk_vectors_" + none + "_hnsw").query(Integer.class).single())
                    .as("pgvector indexes halfvec up to 4,000 dimensions").isZero();
            String walk = jdbc.sql("select chunk_vectors_statement(:s, false)").param("s", halves)
                    .query(String.class).single();
            String plan = new TransactionTemplate(transactions).execute(status -> {
                jdbc.sql("set local enable_seqscan = off").update();
                jdbc.sql("set local enable_sort = off").update();
                jdbc.sql("prepare walk_over_halves(vector, uuid[], integer, uuid[], uuid[], jsonb) as " + walk)
                        .update();
                try {
                    return String.join("\n", jdbc.sql("explain execute walk_over_halves("
                                    + "array_fill(0.5, array[3072])::vector, null, 5, array[gen_random_uuid()],"
                                    + " null, null)").query(String.class).list());
                } finally {
                    jdbc.sql("deallocate walk_over_halves").update();
                }
            });
            assertThat(plan).contains("Index Scan using chunk_vectors_" + halves + "_hnsw");
        } finally {
            jdbc.sql("drop table if exists chunk_vectors_" + halves + ", chunk_vectors_" + none).update();
        }
    }

    @Test
    void bothPathsAndTheInProcessIndexAgreeOnCollectionsFilesAndMetadata() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "walk-scope");
        Knowledge knowledge = knowledge(admin, group, "sk-index-test-0003");
        UUID shelf = knowledge.groupCollection(admin, group, "Shelf");
        UUID other = knowledge.groupCollection(admin, group, "Other");
        UUID red = knowledge.upload(admin, shelf, "red.txt", "Violin lichen and granite. ".repeat(200)
                .getBytes(StandardCharsets.UTF_8));
        UUID blue = knowledge.upload(admin, shelf, "blue.txt", "Violin tundra and granite. ".repeat(200)
                .getBytes(StandardCharsets.UTF_8));
        UUID elsewhere = knowledge.upload(admin, other, "elsewhere.txt", "Violin violin violin. ".repeat(200)
                .getBytes(StandardCharsets.UTF_8));
        for (UUID file : List.of(red, blue)) {
            knowledge.awaitSettled(admin, shelf, file);
        }
        knowledge.awaitSettled(admin, other, elsewhere);
        assertThat(api.patch("/api/v1/files/" + red, Map.of("metadata", Map.of("colour", "red")), admin.token())
                .status()).isEqualTo(200);
        assertThat(api.patch("/api/v1/files/" + blue, Map.of("metadata", Map.of("colour", "blue")), admin.token())
                .status()).isEqualTo(200);
        int space = spaceOf(shelf);
        int dimensions = dimensionsOf(space);
        PgVectorIndex exact = new PgVectorIndex(jdbc, new TransactionTemplate(transactions), json, Long.MAX_VALUE,
                640, 24, 128);
        PgVectorIndex walked = new PgVectorIndex(jdbc, new TransactionTemplate(transactions), json, 0, 640, 24,
                128);
        // The in-process index reads the scope with SearchScope's SQL, pgvector's function with its own: both agree.
        InProcessVectorIndex inProcess = new InProcessVectorIndex(jdbc, 16L << 20, exact);
        float[] query = EMBEDDINGS.vectorOf("violin");
        int many = 1_000;

        record Case(SearchScope scope, List<UUID> files) {
        }
        List<Case> cases = List.of(
                new Case(new SearchScope(space, dimensions, List.of(shelf), Map.of()), List.of(red, blue)),
                new Case(new SearchScope(space, dimensions, List.of(shelf, other), Map.of()),
                        List.of(red, blue, elsewhere)),
                new Case(new SearchScope(space, dimensions, List.of(shelf), Map.of("colour", List.of("red"))),
                        List.of(red)),
                new Case(new SearchScope(space, dimensions, List.of(shelf, other),
                        Map.of("colour", List.of("red", "blue"))), List.of(red, blue)),
                new Case(new SearchScope(space, dimensions, List.of(shelf, other), Map.of("colour", List.of("red")),
                        List.of(blue, elsewhere)), List.of()),
                new Case(new SearchScope(space, dimensions, List.of(shelf, other), Map.of(), List.of(blue, elsewhere)),
                        List.of(blue, elsewhere)),
                new Case(new SearchScope(space, dimensions, List.of(other), Map.of("colour", List.of("red"))),
                        List.of()));
        for (Case expected : cases) {
            assertThat(walked.explain(expected.scope(), query, many)).startsWith(expected.files().isEmpty()
                    ? "EXACT" : "INDEX");
            List<VectorIndex.Hit> fromExact = exact.search(expected.scope(), query, many);
            List<VectorIndex.Hit> fromMemory = inProcess.search(expected.scope(), query, many);
            assertThat(fromExact).as("%s", expected).extracting(VectorIndex.Hit::fileId)
                    .hasSameElementsAs(expected.files());
            assertThat(fromMemory).extracting(VectorIndex.Hit::fileId, VectorIndex.Hit::chunkIndex)
                    .containsExactlyInAnyOrderElementsOf(fromExact.stream()
                            .map(hit -> org.assertj.core.groups.Tuple.tuple(hit.fileId(), hit.chunkIndex())).toList());
            // The walk is approximate (these few dimensions give many chunks the same vector, which HNSW links
            // poorly), so it may miss chunks in scope; it must never return one outside.
            List<VectorIndex.Hit> fromIndex = walked.search(expected.scope(), query, many);
            assertThat(fromIndex).as("%s", expected).extracting(VectorIndex.Hit::fileId)
                    .isSubsetOf(expected.files());
            assertThat(fromIndex.isEmpty()).isEqualTo(expected.files().isEmpty());
        }
    }

    /** Knowledge for the group's members, embedded by the fake model every test here shares (so one space). */
    private Knowledge knowledge(TestUsers.Account admin, UUID group, String secret) {
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-index-test");
        knowledge.addGroupCredential(admin, group, "fake", secret);
        return knowledge;
    }

    private int spaceOf(UUID collection) {
        return jdbc.sql("select space_id from collections where id = :id").param("id", collection)
                .query(Integer.class).single();
    }

    private int dimensionsOf(int space) {
        return jdbc.sql("select dimensions from embedding_spaces where id = :id").param("id", space)
                .query(Integer.class).single();
    }
}
