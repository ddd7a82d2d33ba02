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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retrieval through the API: the three ranking modes, keyword stemming per collection language, results grouped by
 * file, paging, metadata filters, and every refusal. Files go through the real upload, ingestion and embedding path.
 */
class RetrievalModesTest extends IntegrationTest {

    private Knowledge knowledge;
    private TestUsers.Account admin;
    private UUID group;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
        admin = users.admin();
        group = users.group(admin, "modes");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-modes");
        knowledge.addGroupCredential(admin, group, "fake", "sk-modes-secret-0001");
    }

    @Test
    void keywordModeRanksByStemmedWordsVectorModeByMeaningAndHybridFusesBoth() {
        UUID collection = knowledge.groupCollection(admin, group, "Orchestra");
        // "violin" is a dimension of the fake embedding model; "conductors" is not, so only keywords can find it.
        UUID strings = upload(collection, "strings.txt", "Violin violin violin. The strings section tunes first.");
        UUID conductor = upload(collection, "conductor.txt", "The conductors were rehearsing the overture.");
        UUID quarry = upload(collection, "quarry.txt", "Granite quarry near the tundra.");

        JsonNode keyword = retrieve(Map.of("query", "conductor rehearsal", "collectionIds", List.of(collection),
                "mode", "keyword", "topK", 3));
        JsonNode vector = retrieve(Map.of("query", "violin", "collectionIds", List.of(collection), "mode", "vector",
                "topK", 3));
        JsonNode hybrid = retrieve(Map.of("query", "violin conductors", "collectionIds", List.of(collection),
                "topK", 3));

        assertThat(keyword.path("mode").asString()).isEqualTo("keyword");
        // English stemming: "conductor" finds "conductors", "rehearsal" does not stem to "rehears" so one word counts.
        assertThat(fileIds(keyword.path("chunks"))).containsExactly(conductor.toString());
        assertThat(keyword.path("chunks").get(0).path("score").asDouble()).isPositive();
        assertThat(vector.path("mode").asString()).isEqualTo("vector");
        assertThat(fileIds(vector.path("chunks")).getFirst()).isEqualTo(strings.toString());
        assertThat(hybrid.path("mode").asString()).isEqualTo("hybrid");
        // Vector search ranks the violin file first, keyword search the conductor file: fusion keeps both on top.
        assertThat(fileIds(hybrid.path("chunks")).subList(0, 2))
                .containsExactlyInAnyOrder(strings.toString(), conductor.toString());
        assertThat(fileIds(hybrid.path("chunks")).indexOf(quarry.toString())).isNotIn(0, 1);
        JsonNode citation = hybrid.path("chunks").get(0);
        assertThat(citation.path("collectionId").asString()).isEqualTo(collection.toString());
        assertThat(citation.path("endChar").asInt()).isGreaterThan(citation.path("startChar").asInt());
        assertThat(citation.has("chunkIndex")).isTrue();
    }

    /**
     * A chunk's lexemes go straight into the keyword index, never to GIN's pending list, which every keyword search
     * would read in full until a vacuum merged it (migration V20): nothing is pending after an ingestion.
     */
    @Test
    void ingestedChunksLeaveNothingInTheKeywordIndexsPendingList() {
        UUID collection = knowledge.groupCollection(admin, group, "Pending");
        upload(collection, "lichen.txt", "Lichen grows on granite. ".repeat(400));

        int pendingPages = jdbc.sql("select gin_clean_pending_list('chunks_terms_idx'::regclass)")
                .query(Integer.class).single();

        assertThat(pendingPages).isZero();
    }

    /**
     * A hybrid request searches by keywords on a thread of its own while the query is embedded: when the embedding
     * fails, the request fails as a vector request does (502, nothing half-ranked), and keyword search alone still
     * answers.
     */
    @Test
    void aQueryThatCannotBeEmbeddedFailsHybridAndVectorButNotKeywordSearch() {
        UUID collection = knowledge.groupCollection(admin, group, "Unembeddable");
        UUID conductor = upload(collection, "conductor.txt", "The conductors were rehearsing the overture.");
        String marker = "zzunembeddable";
        EMBEDDINGS.failWhenInputContains(marker, 500);
        try {
            for (String mode : List.of("hybrid", "vector")) {
                Api.Response refused = api.post("/api/v1/retrieval", Map.of("query", "conductors " + marker,
                        "collectionIds", List.of(collection), "mode", mode), admin.token());
                assertThat(refused.status()).as(refused.text()).isEqualTo(502);
                assertThat(refused.json().path("code").asString()).isEqualTo("embedding_failed");
            }
            JsonNode keyword = retrieve(Map.of("query", "conductors " + marker, "collectionIds", List.of(collection),
                    "mode", "keyword"));
            assertThat(fileIds(keyword.path("chunks"))).containsExactly(conductor.toString());
        } finally {
            EMBEDDINGS.stopFailingWhenInputContains(marker);
        }
        JsonNode hybrid = retrieve(Map.of("query", "conductors " + marker, "collectionIds", List.of(collection)));
        assertThat(fileIds(hybrid.path("chunks"))).containsExactly(conductor.toString());
    }

    /**
     * Keyword scores are Okapi BM25 as docs/knowledge.md defines it, recomputed here independently: the term frequency
     * is PostgreSQL's {@code ts_rank} of the single lexeme scaled so one occurrence is 1 (the definition the search
     * computes from positions instead), N the chunks of the collection, df and the average length over the chunks
     * matching any query word.
     */
    @Test
    void keywordScoresAreBm25WithTsRankTermFrequencies() {
        UUID collection = knowledge.groupCollection(admin, group, "Scores");
        upload(collection, "one.txt", "Tides tides tides and the moon. Tides again, and tides once more.");
        upload(collection, "two.txt", "The moon rises over the harbour while the tide turns.");
        upload(collection, "three.txt", "Harbour cranes lift containers all night long under floodlights.");
        upload(collection, "four.txt", "Nothing here matches any of the words searched for.");

        JsonNode result = retrieve(Map.of("query", "tides moon harbour", "collectionIds", List.of(collection),
                "mode", "keyword", "topK", 10));

        List<String> lexemes = List.of("tide", "moon", "harbour");
        double docs = jdbc.sql("select count(*) from chunks c join collection_files cf on cf.file_id = c.file_id"
                + " where cf.collection_id = :c").param("c", collection).query(Double.class).single();
        List<Map<String, Object>> matched = jdbc.sql("""
                        select c.file_id, c.chunk_index, c.token_count::float8 as length,
                               ts_rank(c.terms, 'tide'::tsquery) / 0.0607927 as f0,
                               ts_rank(c.terms, 'moon'::tsquery) / 0.0607927 as f1,
                               ts_rank(c.terms, 'harbour'::tsquery) / 0.0607927 as f2
                        from chunks c join collection_files cf on cf.file_id = c.file_id
                        where cf.collection_id = :c and c.terms @@ 'tide | moon | harbour'::tsquery""")
                .param("c", collection).query().listOfRows();
        assertThat(matched).as("three files mention a query word").hasSize(3);
        double averageLength = matched.stream().mapToDouble(row -> (Double) row.get("length")).average().orElseThrow();
        Map<String, Double> expected = new HashMap<>();
        for (Map<String, Object> row : matched) {
            double score = 0;
            for (int i = 0; i < lexemes.size(); i++) {
                int term = i;
                double df = matched.stream().filter(r -> ((Number) r.get("f" + term)).doubleValue() > 0).count();
                double f = ((Number) row.get("f" + i)).doubleValue();
                if (f > 0) {
                    double idf = Math.log(1 + (docs - df + 0.5) / (df + 0.5));
                    score += idf * f * 2.2 / (f + 1.2 * (1 - 0.75 + 0.75 * (Double) row.get("length") / averageLength));
                }
            }
            expected.put(row.get("file_id") + "/" + row.get("chunk_index"), score);
        }
        JsonNode chunks = result.path("chunks");
        assertThat(chunks.size()).isEqualTo(3);
        for (JsonNode chunk : chunks) {
            String key = chunk.path("fileId").asString() + "/" + chunk.path("chunkIndex").asInt();
            assertThat(chunk.path("score").asDouble()).as(key).isCloseTo(expected.get(key),
                    org.assertj.core.data.Offset.offset(1e-4));
        }
        assertThat(expected.get(fileIds(chunks).getFirst() + "/0")).as("five occurrences of tide rank first")
                .isEqualTo(expected.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    @Test
    void aCollectionsLanguageDecidesStemmingAndChangingItIndexesItsFilesAgain() {
        Api.Response created = api.post("/api/v1/collections", Map.of("name", "Plain words", "groupId", group,
                "language", "simple"), admin.token());
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("language").asString()).isEqualTo("simple");
        UUID collection = UUID.fromString(created.json().path("id").asString());
        UUID file = upload(collection, "harvest.txt", "The harvesters were picking mangoes all morning.");
        Map<String, Object> query = Map.of("query", "harvester pick", "collectionIds", List.of(collection),
                "mode", "keyword");

        assertThat(retrieve(query).path("chunks").size()).as("no stemming in 'simple'").isZero();

        Api.Response changed = api.patch("/api/v1/collections/" + collection, Map.of("language", "english"),
                admin.token());
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().path("language").asString()).isEqualTo("english");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fileIds(retrieve(query).path("chunks"))).containsExactly(file.toString()));
    }

    @Test
    void groupedByFileEachFileComesOnceWithItsBestChunksAndPagesDoNotOverlap() {
        UUID collection = knowledge.groupCollection(admin, group, "Many files");
        List<UUID> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(upload(collection, "kiwi-" + i + ".txt", ("Kiwi " + "kiwi ".repeat(i) + "orchard.\n\n")
                    + "Tundra lichen and granite. ".repeat(120)));
        }
        Map<String, Object> query = new HashMap<>(Map.of("query", "kiwi orchard", "collectionIds", List.of(collection),
                "groupBy", "file", "chunksPerFile", 2, "topK", 4));

        JsonNode first = retrieve(query);
        query.put("offset", first.path("nextOffset").asInt());
        JsonNode second = retrieve(query);
        query.put("offset", 0);
        query.put("topK", 6);
        JsonNode all = retrieve(query);

        assertThat(first.path("chunks").size()).isZero();
        assertThat(first.path("files").size()).isEqualTo(4);
        assertThat(first.path("nextOffset").asInt()).isEqualTo(4);
        assertThat(second.path("files").size()).isEqualTo(2);
        assertThat(second.path("nextOffset").isNull()).isTrue();
        List<String> paged = new ArrayList<>(fileIds(first.path("files")));
        paged.addAll(fileIds(second.path("files")));
        assertThat(paged).doesNotHaveDuplicates().containsExactlyElementsOf(fileIds(all.path("files")))
                .containsExactlyInAnyOrderElementsOf(files.stream().map(UUID::toString).toList());
        for (JsonNode file : all.path("files")) {
            assertThat(file.path("chunks").size()).isBetween(1, 2);
            assertThat(file.path("score").asDouble()).isEqualTo(file.path("chunks").get(0).path("score").asDouble());
            for (JsonNode chunk : file.path("chunks")) {
                assertThat(chunk.path("fileId").asString()).isEqualTo(file.path("fileId").asString());
            }
        }
        double previous = Double.MAX_VALUE;
        for (JsonNode file : all.path("files")) {
            assertThat(file.path("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = file.path("score").asDouble();
        }
    }

    @Test
    void chunkPagesContinueWhereTheLastEnded() {
        UUID collection = knowledge.groupCollection(admin, group, "Pages");
        upload(collection, "long.txt", "Saffron and papaya fields. ".repeat(900));
        Map<String, Object> query = new HashMap<>(Map.of("query", "saffron", "collectionIds", List.of(collection),
                "mode", "vector", "topK", 3));

        JsonNode first = retrieve(query);
        query.put("offset", 3);
        JsonNode second = retrieve(query);
        query.put("offset", 0);
        query.put("topK", 6);
        JsonNode both = retrieve(query);

        List<String> paged = new ArrayList<>(chunkKeys(first.path("chunks")));
        paged.addAll(chunkKeys(second.path("chunks")));
        assertThat(paged).hasSize(6).containsExactlyElementsOf(chunkKeys(both.path("chunks")));
        assertThat(first.path("nextOffset").asInt()).isEqualTo(3);
    }

    @Test
    void hybridPagesAcrossTheFirstWindowAreSlicesOfOneList() {
        UUID collection = knowledge.groupCollection(admin, group, "Hybrid pages");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2200; i++) {
            // Word counts vary from paragraph to paragraph, so the keyword and vector rankings differ.
            text.append("Saffron ".repeat(1 + i % 3)).append("papaya ".repeat(1 + i * 7 % 4))
                    .append("fields near the river.\n\n");
        }
        upload(collection, "fields.txt", text.toString());
        Map<String, Object> query = new HashMap<>(Map.of("query", "saffron papaya", "collectionIds",
                List.of(collection), "mode", "hybrid", "offset", 0));

        List<String> paged = page(query, 40);
        query.put("offset", 0);
        query.put("topK", RetrievalService.HYBRID_WINDOW);
        List<String> window = chunkKeys(retrieve(query).path("chunks"));
        List<String> whole = new ArrayList<>(window);
        query.put("offset", RetrievalService.HYBRID_WINDOW);
        whole.addAll(page(query, 100));

        assertThat(window).hasSize(RetrievalService.HYBRID_WINDOW);
        assertThat(whole).hasSizeGreaterThan(RetrievalService.HYBRID_WINDOW).doesNotHaveDuplicates();
        assertThat(paged).doesNotHaveDuplicates().isEqualTo(whole);
    }

    /** Every result from the query's offset on, in pages of {@code topK}, following {@code nextOffset}. */
    private List<String> page(Map<String, Object> query, int topK) {
        List<String> keys = new ArrayList<>();
        for (int offset = (int) query.getOrDefault("offset", 0); ; ) {
            query.put("offset", offset);
            query.put("topK", Math.min(topK, RetrievalQuery.MAX_DEPTH - offset));
            JsonNode page = retrieve(query);
            keys.addAll(chunkKeys(page.path("chunks")));
            if (page.path("nextOffset").isNull() || offset + topK >= RetrievalQuery.MAX_DEPTH) {
                return keys;
            }
            offset = page.path("nextOffset").asInt();
        }
    }

    @Test
    void metadataFiltersKeepOnlyFilesWithOneOfTheValuesForEveryKey() {
        UUID collection = knowledge.groupCollection(admin, group, "Departments");
        UUID chemistry2025 = upload(collection, "c25.txt", "Mango safety rules.");
        UUID chemistry2026 = upload(collection, "c26.txt", "Mango safety rules, revised.");
        UUID physics2026 = upload(collection, "p26.txt", "Mango physics.");
        metadata(chemistry2025, Map.of("department", "chemistry", "year", "2025"));
        metadata(chemistry2026, Map.of("department", "chemistry", "year", "2026"));
        metadata(physics2026, Map.of("department", "physics", "year", "2026"));

        for (String mode : List.of("vector", "keyword", "hybrid")) {
            JsonNode chemistry = retrieve(Map.of("query", "mango", "collectionIds", List.of(collection), "mode",
                    mode, "topK", 10, "filter", Map.of("metadata", Map.of("department", List.of("chemistry")))));
            JsonNode recent = retrieve(Map.of("query", "mango", "collectionIds", List.of(collection), "mode", mode,
                    "topK", 10, "filter", Map.of("metadata", Map.of("department", List.of("chemistry", "physics"),
                            "year", List.of("2026")))));
            assertThat(fileIds(chemistry.path("chunks"))).as(mode)
                    .containsExactlyInAnyOrder(chemistry2025.toString(), chemistry2026.toString());
            assertThat(fileIds(recent.path("chunks"))).as(mode)
                    .containsExactlyInAnyOrder(chemistry2026.toString(), physics2026.toString());
        }
        JsonNode unfiltered = retrieve(Map.of("query", "mango", "collectionIds", List.of(collection), "topK", 10));
        JsonNode withMetadata = unfiltered.path("chunks").findValues("metadata").stream()
                .filter(m -> m.path("year").asString("").equals("2025")).findFirst().orElseThrow();
        assertThat(withMetadata.path("department").asString()).isEqualTo("chemistry");
    }

    @Test
    void badRequestsAreRefusedWithTheFieldNamed() {
        UUID collection = knowledge.groupCollection(admin, group, "Refusals");
        Map<String, Object> base = Map.of("query", "kiwi", "collectionIds", List.of(collection));
        Map<String, List<String>> tooManyKeys = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            tooManyKeys.put("k" + i, List.of("v"));
        }

        assertRefused(with(base, "mode", "semantic"), "mode");
        assertRefused(with(base, "groupBy", "collection"), "groupBy");
        assertRefused(with(with(base, "topK", 100), "offset", 901), "offset");
        assertRefused(with(base, "offset", -1), "offset");
        assertRefused(with(base, "topK", 101), "topK");
        assertRefused(with(base, "chunksPerFile", 11), "chunksPerFile");
        assertRefused(with(base, "filter", Map.of("metadata", tooManyKeys)), "filter.metadata");
        assertRefused(with(base, "filter", Map.of("metadata", Map.of("year", List.of()))), "filter.metadata");
        Api.Response unknownLanguage = api.post("/api/v1/collections", Map.of("name", "Klingon",
                "language", "klingon"), admin.token());
        assertThat(unknownLanguage.status()).isEqualTo(400);
        assertThat(unknownLanguage.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(unknownLanguage.text()).contains("language").contains("english").contains("simple");
        Api.Response badChange = api.patch("/api/v1/collections/" + collection, Map.of("language", "klingon"),
                admin.token());
        assertThat(badChange.status()).isEqualTo(400);
        assertThat(api.get("/api/v1/collections/" + collection, admin.token()).json().path("language").asString())
                .isEqualTo("english");
    }

    private void assertRefused(Map<String, Object> body, String field) {
        Api.Response response = api.post("/api/v1/retrieval", body, admin.token());
        assertThat(response.status()).as(body.toString()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(response.text()).as(body.toString()).contains(field);
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    private UUID upload(UUID collection, String name, String text) {
        UUID file = knowledge.upload(admin, collection, name, text.getBytes(StandardCharsets.UTF_8));
        assertThat(knowledge.awaitSettled(admin, collection, file).path("status").asString()).isEqualTo("ready");
        return file;
    }

    private void metadata(UUID file, Map<String, String> metadata) {
        assertThat(api.patch("/api/v1/files/" + file, Map.of("metadata", metadata), admin.token()).status())
                .isEqualTo(200);
    }

    private JsonNode retrieve(Map<String, Object> body) {
        Api.Response response = api.post("/api/v1/retrieval", body, admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static List<String> fileIds(JsonNode results) {
        List<String> ids = new ArrayList<>();
        results.forEach(result -> ids.add(result.path("fileId").asString()));
        return ids;
    }

    private static List<String> chunkKeys(JsonNode chunks) {
        List<String> keys = new ArrayList<>();
        chunks.forEach(chunk -> keys.add(chunk.path("fileId").asString() + "#" + chunk.path("chunkIndex").asInt()));
        Set<String> unique = new HashSet<>(keys);
        assertThat(unique).hasSameSizeAs(keys);
        return keys;
    }
}
