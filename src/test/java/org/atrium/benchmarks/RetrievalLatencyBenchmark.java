package org.atrium.benchmarks;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.atrium.knowledge.RetrievalService;
import org.atrium.knowledge.extraction.TokenChunker;
import org.atrium.testing.Api;
import org.atrium.testing.FakeEmbeddingServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retrieval latency and recall for {@code docs/benchmarks.md}, on what a user gets: documents uploaded through
 * {@code POST /api/v1/collections/{id}/files}, chunked and embedded by Atrium's ingestion jobs (a
 * {@link FakeEmbeddingServer#bagOfWords bag-of-words} embedding server over real HTTP, so texts sharing words are
 * neighbours), searched through {@code POST /api/v1/retrieval}. Recall@10 is measured against an exact search over
 * every chunk vector the embedding server handed out, computed in this JVM, independently of the database. Not part
 * of the default suite; run it alone, with the size as a system property (default 10,000 chunks):
 *
 * <pre>./mvnw test -Dtest=RetrievalLatencyBenchmark -Dexcluded.test.groups= -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.chunks=100000</pre>
 *
 * ({@code -Dbench.queries=} changes the number of timed requests per mode, 500 by default; {@code -Dbench.warmups=}
 * the untimed ones before them, 2,000 by default.)
 *
 * It prints figures and asserts only that the work happened (files ready, results found and recognised).
 */
@Tag("benchmark")
class RetrievalLatencyBenchmark extends IntegrationTest {

    private static final int DIMENSIONS = 384;
    private static final int TOP_K = 10;
    /**
     * Untimed requests before each mode's timed ones ({@code -Dbench.warmups=}, 2,000 by default): after only 50,
     * the JIT was still compiling the request path during the timed ones (the floor's p99 was 6 to 10 ms, 1 to 3 ms
     * after 2,000), which a server that has been up for a while has long finished.
     */
    private static final int WARMUPS = Integer.getInteger("bench.warmups", 2_000);
    /** Timed requests per mode; fewer ({@code -Dbench.queries=}) when today's search is too slow for 500. */
    private static final int QUERIES = Integer.getInteger("bench.queries", 500);
    private static final int RECALL_QUERIES = 100;

    @Autowired
    private PlatformTransactionManager transactionManager;
    private static final int UPLOADS_IN_FLIGHT = 6;
    /** Chunking as Atrium does by default (atrium.knowledge.chunk-tokens and chunk-overlap-tokens). */
    private static final TokenChunker CHUNKER = new TokenChunker(200, 40);
    private static final List<String> MODES = List.of("vector", "keyword", "hybrid");
    private static final FakeEmbeddingServer BENCH = FakeEmbeddingServer.bagOfWords(DIMENSIONS);

    @DynamicPropertySource
    static void benchConnection(DynamicPropertyRegistry properties) {
        properties.add("atrium.providers.connections.bench-bow.type", () -> "openai");
        properties.add("atrium.providers.connections.bench-bow.base-url", BENCH::openAiBaseUrl);
    }

    @Test
    void retrievalOfUploadedDocuments() throws Exception {
        int target = Integer.getInteger("bench.chunks", 10_000);
        Knowledge knowledge = new Knowledge(api);
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "bench-retrieval");
        knowledge.setGroupEmbedding(admin, group, "bench-bow", "bow-384-" + target);
        knowledge.addGroupCredential(admin, group, "bench-bow", "sk-bench-retrieval");
        UUID collection = knowledge.groupCollection(admin, group, "retrieval " + target);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average "
                + Machine.loadAverage());

        // About 200 chunks per topic, whatever the size, as a growing collection gains subjects.
        SyntheticCorpus corpus = new SyntheticCorpus(Math.max(10, target / 200), 42);
        List<byte[]> documents = documents(corpus, target);

        Map<String, float[]> embedded = new ConcurrentHashMap<>();
        BENCH.reset();
        BENCH.onEmbedded(embedded::put);
        long started = System.nanoTime();
        Set<String> fileIds = upload(knowledge, admin, collection, documents);
        long uploaded = System.nanoTime();
        List<JsonNode> files = awaitReady(admin, collection, fileIds, Duration.ofSeconds(600 + target / 5));
        long ready = System.nanoTime();
        BENCH.onEmbedded(null);
        long chunks = files.stream().mapToLong(f -> f.path("chunksTotal").asLong()).sum();
        System.out.printf(Locale.ROOT, "ingestion: %d documents, %d chunks (%d distinct texts embedded, %d embedding"
                        + " requests), %d uploads in flight; uploads done %.1f s, all ready %.1f s, %.0f chunks/s;"
                        + " load average %s%n", documents.size(), chunks, embedded.size(), BENCH.requests(),
                UPLOADS_IN_FLIGHT, (uploaded - started) / 1e9, (ready - started) / 1e9,
                chunks / ((ready - started) / 1e9), Machine.loadAverage());
        assertThat(embedded.size()).as("distinct chunk texts embedded").isGreaterThan((int) (chunks * 0.99));
        System.out.println("HNSW indexes: " + hnswScans().keySet());

        ExactSearch exact = new ExactSearch(embedded);
        embedded.clear();
        SplittableRandom queryRandom = new SplittableRandom(7);
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < WARMUPS + QUERIES; i++) {
            queries.add(corpus.query(queryRandom));
        }
        Map<String, Boolean> supported = modeSupport(admin, collection, queries.getFirst());
        System.out.printf(Locale.ROOT, "retrieval: %d chunks, topK %d, %d timed requests after %d warm-ups, one"
                + " caller%n", chunks, TOP_K, QUERIES, WARMUPS);
        System.out.println("| mode | p50 ms | p99 ms | mean ms | requests that found nothing | HNSW idx_scan delta |"
                + " server p50 / p99 ms: whole request; retrieval service: whole, access, embed, search, read |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String mode : MODES) {
            if (!supported.get(mode)) {
                System.out.println("| " + mode + " | mode unsupported | | | | | |");
                continue;
            }
            Map<String, Long> before = hnswScans();
            Timing timing = time(admin, collection, mode, queries);
            System.out.println(timing.row(mode, delta(before, hnswScans())));
        }
        // People type words most documents use, too: one such word added to each query of the same kind.
        SplittableRandom commonRandom = new SplittableRandom(11);
        List<String> withCommonWord = new ArrayList<>();
        for (int i = 0; i < WARMUPS + QUERIES; i++) {
            withCommonWord.add(corpus.query(commonRandom) + " " + corpus.commonWord(commonRandom));
        }
        for (String mode : List.of("keyword", "hybrid")) {
            if (supported.get(mode)) {
                Map<String, Long> before = hnswScans();
                Timing timing = time(admin, collection, mode, withCommonWord);
                System.out.println(timing.row(mode + ", with a common word", delta(before, hnswScans())));
            }
        }
        if (!supported.get("vector")) {
            Map<String, Long> before = hnswScans();
            Timing timing = time(admin, collection, null, queries);
            System.out.println(timing.row("(no mode: today's search)", delta(before, hnswScans())));
        }
        baseline(admin);
        recall(admin, collection, supported.get("vector") ? "vector" : null, corpus, exact);
        efSearchSweep(corpus, exact);
        graphSweep(corpus, exact);
        System.out.println("load average at the end: " + Machine.loadAverage());
    }

    /** Documents of 10 to 100 chunks each (counted with Atrium's chunker) until {@code target} chunks are reached. */
    private static List<byte[]> documents(SyntheticCorpus corpus, int target) {
        SplittableRandom random = new SplittableRandom(1);
        // Pseudo-words are several tokens each; calibrate words per chunk once rather than guess.
        String sample = corpus.document(random, 20_000);
        double tokensPerWord = CHUNKER.countTokens(sample) / 20_000.0;
        List<byte[]> documents = new ArrayList<>();
        int chunks = 0;
        while (chunks < target) {
            int wanted = 10 + random.nextInt(91);
            String text = corpus.document(random, (int) ((wanted * 160 + 40) / tokensPerWord));
            chunks += CHUNKER.chunk(text).size();
            documents.add(text.getBytes(StandardCharsets.UTF_8));
        }
        System.out.printf(Locale.ROOT, "corpus: %d topics, %d documents, %d chunks by Atrium's chunker, %.2f tokens"
                + " per word, %.1f MB%n", corpus.topics(), documents.size(), chunks, tokensPerWord,
                documents.stream().mapToLong(d -> d.length).sum() / 1e6);
        return documents;
    }

    private static Set<String> upload(Knowledge knowledge, TestUsers.Account admin, UUID collection,
                                      List<byte[]> documents) throws Exception {
        Semaphore inFlight = new Semaphore(UPLOADS_IN_FLIGHT);
        List<Future<UUID>> uploads = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < documents.size(); i++) {
                byte[] content = documents.get(i);
                String name = "doc-" + i + ".txt";
                inFlight.acquire();
                uploads.add(callers.submit(() -> {
                    try {
                        return knowledge.upload(admin, collection, name, content);
                    } finally {
                        inFlight.release();
                    }
                }));
            }
        }
        Set<String> ids = new HashSet<>();
        for (Future<UUID> upload : uploads) {
            ids.add(upload.get().toString());
        }
        return ids;
    }

    /** Pages through the whole listing until every file is ready; fails on a failed file or at the timeout. */
    private List<JsonNode> awaitReady(TestUsers.Account user, UUID collection, Set<String> ids, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int readyLast = 0;
        while (System.nanoTime() < deadline) {
            List<JsonNode> ready = new ArrayList<>();
            for (int offset = 0; ; offset += 200) {
                Api.Response page = api.get("/api/v1/collections/" + collection + "/files?limit=200&offset="
                        + offset, user.token());
                assertThat(page.status()).as(page.text()).isEqualTo(200);
                JsonNode items = page.json().path("items");
                for (JsonNode item : items) {
                    assertThat(item.path("status").asString()).as(item.toString()).isNotEqualTo("failed");
                    if (ids.contains(item.path("fileId").asString())
                            && "ready".equals(item.path("status").asString())) {
                        ready.add(item);
                    }
                }
                if (items.size() < 200) {
                    break;
                }
            }
            if (ready.size() == ids.size()) {
                return ready;
            }
            if (ready.size() / 100 != readyLast / 100) {
                System.out.println("ingestion: " + ready.size() + " of " + ids.size() + " files ready");
            }
            readyLast = ready.size();
            Thread.sleep(1_000);
        }
        throw new AssertionError("not every file was ready within " + timeout + " (" + readyLast + " of "
                + ids.size() + ")");
    }

    /**
     * Whether each mode is honoured. A made-up mode tells whether {@code mode} is read at all: if it is accepted,
     * the field is ignored and no mode's figure would mean what its name says.
     */
    private Map<String, Boolean> modeSupport(TestUsers.Account user, UUID collection, String query) {
        Map<String, Boolean> supported = new LinkedHashMap<>();
        int madeUp = search(user, collection, "no-such-mode", query).status();
        for (String mode : MODES) {
            Api.Response response = search(user, collection, mode, query);
            supported.put(mode, madeUp == 400 && response.status() == 200);
            System.out.println("mode " + mode + ": " + (supported.get(mode) ? "supported" : "unsupported (made-up"
                    + " mode answered " + madeUp + ", this one " + response.status() + ")"));
        }
        return supported;
    }

    private Api.Response search(TestUsers.Account user, UUID collection, @Nullable String mode, String query) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("collectionIds", List.of(collection));
        body.put("topK", TOP_K);
        if (mode != null) {
            body.put("mode", mode);
        }
        return api.post("/api/v1/retrieval", body, user.token());
    }

    /**
     * Runs the warm-ups, then times each remaining query end to end (request, search, response, JSON parse), and
     * collects the phases the service reports in its {@code knowledge.retrieved} event for the same requests.
     */
    private Timing time(TestUsers.Account user, UUID collection, @Nullable String mode, List<String> queries) {
        long[] nanos = new long[queries.size() - WARMUPS];
        int empty = 0;
        List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(RetrievalService.class),
                (Logger) LoggerFactory.getLogger("org.atrium.http"));
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        for (int i = 0; i < queries.size(); i++) {
            if (i == WARMUPS) {
                loggers.forEach(logger -> logger.addAppender(events));
            }
            long t0 = System.nanoTime();
            Api.Response response = search(user, collection, mode, queries.get(i));
            int found = response.json().path("chunks").size();
            long elapsed = System.nanoTime() - t0;
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            if (i >= WARMUPS) {
                nanos[i - WARMUPS] = elapsed;
                empty += found == 0 ? 1 : 0;
            }
        }
        loggers.forEach(logger -> logger.detachAppender(events));
        Arrays.sort(nanos);
        Map<String, double[]> phases = new LinkedHashMap<>();
        phases.put("request", field(events.list, "http.request", "duration_ms", nanos.length));
        for (String phase : PHASES) {
            phases.put(phase, field(events.list, "knowledge.retrieved", phase, nanos.length));
        }
        return new Timing(nanos, empty, phases);
    }

    /** The fields of {@code knowledge.retrieved} that say where a request's time went inside the service. */
    private static final List<String> PHASES = List.of("duration_ms", "access_ms", "embed_ms", "search_ms",
            "read_ms");

    /** One numeric field of every captured event of that name, sorted; one per timed request. */
    private static double[] field(List<ILoggingEvent> events, String event, String field, int requests) {
        double[] values = events.stream().filter(e -> event.equals(e.getMessage()))
                .flatMap(e -> e.getKeyValuePairs().stream()).filter(pair -> pair.key.equals(field))
                .mapToDouble(pair -> ((Number) pair.value).doubleValue()).sorted().toArray();
        assertThat(values).as("every timed request logged " + event + " " + field).hasSize(requests);
        return values;
    }

    /**
     * Sorted durations of the timed requests, how many of them found nothing, and the sorted values of each phase.
     */
    private record Timing(long[] nanos, int empty, Map<String, double[]> phases) {

        String row(String mode, String scans) {
            StringBuilder inside = new StringBuilder();
            phases.forEach((phase, values) -> inside.append(inside.isEmpty() ? "" : ", ").append(String.format(
                    Locale.ROOT, "%.2f / %.2f", p(values, 50), p(values, 99))));
            return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %d | %s | %s |", mode,
                    p(nanos, 50) / 1e6, p(nanos, 99) / 1e6, Arrays.stream(nanos).average().orElse(0) / 1e6, empty,
                    scans, inside);
        }
    }

    /**
     * The floor under every figure above: the same client and server answering an authenticated request that does
     * next to nothing ({@code GET /api/v1/auth/me}: HTTP over loopback, authentication, JSON both ways).
     */
    private void baseline(TestUsers.Account user) {
        long[] nanos = new long[QUERIES];
        Logger http = (Logger) LoggerFactory.getLogger("org.atrium.http");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        for (int i = 0; i < WARMUPS + QUERIES; i++) {
            if (i == WARMUPS) {
                http.addAppender(events);
            }
            long t0 = System.nanoTime();
            Api.Response response = api.get("/api/v1/auth/me", user.token());
            response.json();
            long elapsed = System.nanoTime() - t0;
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            if (i >= WARMUPS) {
                nanos[i - WARMUPS] = elapsed;
            }
        }
        http.detachAppender(events);
        Arrays.sort(nanos);
        double[] server = field(events.list, "http.request", "duration_ms", nanos.length);
        System.out.printf(Locale.ROOT, "baseline, GET /api/v1/auth/me by the same client: p50 %.2f ms, p99 %.2f ms;"
                        + " in the server p50 %.2f ms, p99 %.2f ms%n", p(nanos, 50) / 1e6, p(nanos, 99) / 1e6,
                p(server, 50), p(server, 99));
    }

    /** Recall@10 of the API's results against the exact top 10, over queries not used for timing. */
    private void recall(TestUsers.Account user, UUID collection, @Nullable String mode, SyntheticCorpus corpus,
                        ExactSearch exact) {
        SplittableRandom random = new SplittableRandom(11);
        long found = 0;
        long tieAware = 0;
        long exactNanos = 0;
        for (int q = 0; q < RECALL_QUERIES; q++) {
            String query = corpus.query(random);
            Api.Response response = search(user, collection, mode, query);
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            Set<Integer> returned = new HashSet<>();
            for (JsonNode chunk : response.json().path("chunks")) {
                Integer index = exact.indexOf(chunk.path("text").asString());
                assertThat(index).as("a returned chunk's text was never embedded: " + chunk).isNotNull();
                returned.add(index);
            }
            long t0 = System.nanoTime();
            float[] vector = BENCH.vectorOf(query);
            int[] top = exact.top(vector, TOP_K);
            exactNanos += System.nanoTime() - t0;
            found += exact.hits(vector, top, returned, false);
            tieAware += exact.hits(vector, top, returned, true);
        }
        System.out.printf(Locale.ROOT, "recall@%d of %s search against exact search in the test JVM over %d"
                        + " queries: %.3f, %.3f counting ties with the 10th (exact search %.0f ms per query over %d"
                        + " vectors)%n", TOP_K, mode == null ? "today's (no mode)" : mode, RECALL_QUERIES,
                (double) found / (RECALL_QUERIES * TOP_K), (double) tieAware / (RECALL_QUERIES * TOP_K),
                exactNanos / 1e6 / RECALL_QUERIES, exact.size());
    }

    /**
     * How recall and time of the HNSW walk alone depend on {@code hnsw.ef_search}, on the same data and recall queries:
     * the statement the index path runs, in SQL (all chunks are in scope), to choose the setting from figures.
     */
    private void efSearchSweep(SyntheticCorpus corpus, ExactSearch exact) {
        int space = jdbc.sql("select id from embedding_spaces where connection = 'bench-bow'").query(Integer.class)
                .single();
        System.out.println("| hnsw.ef_search | recall@10 | recall@10 counting ties | p50 ms | p99 ms |");
        System.out.println("|---|---|---|---|---|");
        for (int ef : new int[] {40, 80, 160, 320, 640, 0}) {
            System.out.println(walk("chunk_vectors_" + space, space, ef, corpus, exact));
        }
    }

    /**
     * With {@code -Dbench.graphs=m:ef_construction,...} (for instance {@code 16:64,24:128,32:128,32:200}): for each
     * graph, a copy of the space's vectors inserted row by row into an empty table with that HNSW index (as
     * ingestion inserts them), the insertion timed, then the walk's recall and time by {@code ef_search}. Meant for
     * the 10,000-chunk size, to choose the graph's defaults.
     */
    private void graphSweep(SyntheticCorpus corpus, ExactSearch exact) {
        String graphs = System.getProperty("bench.graphs", "");
        if (graphs.isBlank()) {
            return;
        }
        int space = jdbc.sql("select id from embedding_spaces where connection = 'bench-bow'").query(Integer.class)
                .single();
        System.out.println("| m | ef_construction | insert s | ef_search | recall@10 | recall@10 counting ties |"
                + " p50 ms | p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String graph : graphs.split(",")) {
            int m = Integer.parseInt(graph.split(":")[0].trim());
            int efConstruction = Integer.parseInt(graph.split(":")[1].trim());
            jdbc.sql("drop table if exists bench_graph").update();
            jdbc.sql("create table bench_graph (file_id uuid, chunk_index integer, embedding vector(" + DIMENSIONS
                    + "))").update();
            jdbc.sql("create index bench_graph_hnsw on bench_graph using hnsw (embedding vector_cosine_ops) with (m = "
                    + m + ", ef_construction = " + efConstruction + ")").update();
            long t0 = System.nanoTime();
            jdbc.sql("insert into bench_graph select file_id, chunk_index, embedding from chunk_vectors_" + space)
                    .update();
            double insertSeconds = (System.nanoTime() - t0) / 1e9;
            for (int ef : new int[] {40, 80, 160, 320, 640}) {
                System.out.printf(Locale.ROOT, "| %d | %d | %.1f %s%n", m, efConstruction, insertSeconds,
                        walk("bench_graph", space, ef, corpus, exact));
            }
            System.out.println("load average: " + Machine.loadAverage());
        }
        jdbc.sql("drop table bench_graph").update();
    }

    /** One ef_search setting over the recall queries, as a table row; ef 0 is the exact path. */
    private String walk(String table, int space, int ef, SyntheticCorpus corpus, ExactSearch exact) {
        SplittableRandom random = new SplittableRandom(11);
        long found = 0;
        long tieAware = 0;
        long[] nanos = new long[RECALL_QUERIES];
        for (int q = 0; q < RECALL_QUERIES; q++) {
            float[] vector = BENCH.vectorOf(corpus.query(random));
            org.postgresql.util.PGobject bound = new org.postgresql.util.PGobject();
            try {
                bound.setType("vector");
                bound.setValue(Arrays.toString(vector).replace(" ", ""));
            } catch (java.sql.SQLException impossible) {
                throw new IllegalStateException(impossible);
            }
            long t0 = System.nanoTime();
            List<String> texts = new TransactionTemplate(transactionManager).execute(status -> {
                jdbc.sql("set local hnsw.iterative_scan = relaxed_order").update();
                jdbc.sql("set local hnsw.ef_search = " + Math.max(ef, 1)).update();
                // ef 0 stands for the exact path: an ordering no index serves, every vector compared.
                String order = ef == 0 ? "(v.embedding <=> :q) + 0" : "v.embedding <=> :q";
                return jdbc.sql("select c.content from (select v.file_id, v.chunk_index from " + table
                                + " v order by " + order + " limit 10) h join chunks c"
                                + " on c.file_id = h.file_id and c.space_id = " + space
                                + " and c.chunk_index = h.chunk_index")
                        .param("q", bound).query(String.class).list();
            });
            nanos[q] = System.nanoTime() - t0;
            Set<Integer> returned = new HashSet<>();
            texts.stream().map(exact::indexOf).filter(java.util.Objects::nonNull).forEach(returned::add);
            int[] top = exact.top(vector, TOP_K);
            found += exact.hits(vector, top, returned, false);
            tieAware += exact.hits(vector, top, returned, true);
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.2f | %.2f |", ef == 0 ? "exact" : ef,
                (double) found / (RECALL_QUERIES * TOP_K), (double) tieAware / (RECALL_QUERIES * TOP_K),
                p(nanos, 50) / 1e6, p(nanos, 99) / 1e6);
    }

    /** idx_scan of every index whose name contains "hnsw", after the statistics of earlier requests are in. */
    private Map<String, Long> hnswScans() {
        try {
            // Backends publish their counters up to a second after their transaction ends.
            Thread.sleep(1_500);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
        Map<String, Long> scans = new LinkedHashMap<>();
        jdbc.sql("select indexrelname, idx_scan from pg_stat_user_indexes where indexrelname like '%hnsw%'"
                + " order by indexrelname").query((rs, row) -> scans.put(rs.getString(1), rs.getLong(2))).list();
        return scans;
    }

    private static String delta(Map<String, Long> before, Map<String, Long> after) {
        if (after.isEmpty()) {
            return "no HNSW index";
        }
        List<String> parts = new ArrayList<>();
        after.forEach((name, scans) -> parts.add(name + " +" + (scans - before.getOrDefault(name, 0L))));
        return String.join(", ", parts);
    }

    /** Nearest-rank percentile of sorted values. */
    private static long p(long[] sorted, int percentile) {
        return sorted[rank(sorted.length, percentile)];
    }

    /** Nearest-rank percentile of sorted values. */
    private static double p(double[] sorted, int percentile) {
        return sorted[rank(sorted.length, percentile)];
    }

    private static int rank(int values, int percentile) {
        return Math.max(0, (int) Math.ceil(percentile / 100.0 * values) - 1);
    }

    /** Every chunk vector in one array, searched by brute force: the ground truth recall is measured against. */
    private static final class ExactSearch {

        private final Map<String, Integer> indexes = new HashMap<>();
        private final float[] vectors;
        private final int size;

        ExactSearch(Map<String, float[]> embedded) {
            size = embedded.size();
            vectors = new float[size * DIMENSIONS];
            int i = 0;
            for (Map.Entry<String, float[]> entry : embedded.entrySet()) {
                indexes.put(entry.getKey(), i);
                System.arraycopy(entry.getValue(), 0, vectors, i * DIMENSIONS, DIMENSIONS);
                i++;
            }
        }

        int size() {
            return size;
        }

        @Nullable Integer indexOf(String text) {
            return indexes.get(text);
        }

        /**
         * How many of the exact top chunks were returned; with {@code tiesCount}, a returned chunk outside the top
         * whose similarity equals the last one's (within float rounding, 1e-6) counts too: it is as near as the
         * chunk it displaced, and which of equals an index returns is arbitrary. At most {@code top.length}.
         */
        int hits(float[] query, int[] top, Set<Integer> returned, boolean tiesCount) {
            int hits = 0;
            for (int index : top) {
                hits += returned.contains(index) ? 1 : 0;
            }
            if (tiesCount) {
                double last = dot(query, top[top.length - 1]);
                Set<Integer> inTop = new HashSet<>();
                for (int index : top) {
                    inTop.add(index);
                }
                for (int index : returned) {
                    if (index >= 0 && !inTop.contains(index) && Math.abs(dot(query, index) - last) <= 1e-6) {
                        hits++;
                    }
                }
            }
            return Math.min(hits, top.length);
        }

        private double dot(float[] query, int index) {
            double dot = 0;
            int base = index * DIMENSIONS;
            for (int d = 0; d < DIMENSIONS; d++) {
                dot += query[d] * vectors[base + d];
            }
            return dot;
        }

        /** The {@code k} chunks of highest cosine similarity (vectors are unit length: the dot product). */
        int[] top(float[] query, int k) {
            int[] best = new int[k];
            double[] scores = new double[k];
            Arrays.fill(scores, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < size; i++) {
                double dot = 0;
                int base = i * DIMENSIONS;
                for (int d = 0; d < DIMENSIONS; d++) {
                    dot += query[d] * vectors[base + d];
                }
                if (dot > scores[k - 1]) {
                    int at = k - 1;
                    while (at > 0 && scores[at - 1] < dot) {
                        scores[at] = scores[at - 1];
                        best[at] = best[at - 1];
                        at--;
                    }
                    scores[at] = dot;
                    best[at] = i;
                }
            }
            return best;
        }
    }
}
