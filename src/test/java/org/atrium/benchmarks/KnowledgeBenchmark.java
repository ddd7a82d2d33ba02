package org.atrium.benchmarks;

import org.atrium.testing.Api;
import org.atrium.testing.FakeEmbeddingServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Knowledge figures for {@code docs/benchmarks.md}: ingestion throughput, upload latency and retrieval latency at
 * 100,000 chunks. Not part of the default suite; run it alone (it adds a connection {@code bench}, a 384-dimensional
 * {@link FakeEmbeddingServer}, to the shared context, which other test classes' contexts do not know):
 *
 * <pre>./mvnw test -Dtest=KnowledgeBenchmark -Dexcluded.test.groups= -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * It prints figures and asserts only that the work happened (files ready, chunks found), never how fast.
 */
@Tag("benchmark")
class KnowledgeBenchmark extends IntegrationTest {

    private static final int DIMENSIONS = 384;
    private static final FakeEmbeddingServer BENCH = FakeEmbeddingServer.start(DIMENSIONS);
    private static final String[] WORDS = ("time year people way day thing life child world school state family "
            + "student group country problem hand part place case week company system program question work number "
            + "night point home water room mother area money story fact month right study book eye job word business "
            + "issue side kind head house service friend father power hour game line end member law car city name "
            + "team minute idea body information back parent face level office door health person art war history "
            + "party result change morning reason research girl moment air teacher force education river stone")
            .split(" ");

    @DynamicPropertySource
    static void benchConnection(DynamicPropertyRegistry properties) {
        properties.add("atrium.providers.connections.bench.type", () -> "openai");
        properties.add("atrium.providers.connections.bench.base-url", BENCH::openAiBaseUrl);
    }

    @Autowired
    private Environment environment;
    @Autowired
    private PlatformTransactionManager transactionManager;

    private Knowledge knowledge;
    private TransactionTemplate transactions;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
        transactions = new TransactionTemplate(transactionManager);
        BENCH.reset();
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average "
                + loadAverage());
    }

    @AfterEach
    void load() {
        System.out.println("load average at the end: " + loadAverage());
    }

    /** Other work on the machine skews every figure; the load average says how much there was. */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException | RuntimeException unavailable) {
            return "unknown";
        }
    }

    @Test
    void ingestionThroughput() throws Exception {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "bench-ingest");
        knowledge.setGroupEmbedding(admin, group, "bench", "hash-384");
        knowledge.addGroupCredential(admin, group, "bench", "sk-bench-ingest");
        // A first file claims the space's dimension and creates its HNSW index, as in production.
        UUID warmup = knowledge.groupCollection(admin, group, "warm-up");
        knowledge.awaitSettled(admin, warmup, knowledge.upload(admin, warmup, "warm-up.txt",
                document(1, 640).getBytes(StandardCharsets.UTF_8)));
        System.out.printf(Locale.ROOT, "ingestion: job threads %s, embedding batch size %s%n",
                environment.getProperty("atrium.jobs.threads", "4 (default)"),
                environment.getProperty("atrium.providers.embedding.batch-size", "64 (default)"));
        System.out.println("| documents | chunks | provider delay | uploads done s | all ready s | chunks/s "
                + "| requests | batch sizes (size×count) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        ingest(admin, group, "small, no delay", 20, 640, Duration.ZERO, 100);
        ingest(admin, group, "small, 50 ms", 20, 640, Duration.ofMillis(50), 200);
        ingest(admin, group, "large, no delay", 4, 6400, Duration.ZERO, 300);
        ingest(admin, group, "large, 50 ms", 4, 6400, Duration.ofMillis(50), 400);
    }

    private void ingest(TestUsers.Account admin, UUID group, String name, int documents, int sentences,
                        Duration delay, long seed) throws Exception {
        UUID collection = knowledge.groupCollection(admin, group, name);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < documents; i++) {
            contents.add(document(seed + i, sentences).getBytes(StandardCharsets.UTF_8));
        }
        BENCH.reset();
        BENCH.delayEachRequest(delay);
        long started = System.nanoTime();
        List<Future<UUID>> uploads = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < documents; i++) {
                byte[] content = contents.get(i);
                String fileName = "doc-" + i + ".txt";
                uploads.add(callers.submit(() -> knowledge.upload(admin, collection, fileName, content)));
            }
        }
        long uploaded = System.nanoTime();
        Set<String> ids = new HashSet<>();
        for (Future<UUID> upload : uploads) {
            ids.add(upload.get().toString());
        }
        List<JsonNode> settled = awaitAllSettled(admin, collection, ids, Duration.ofMinutes(2));
        long ready = System.nanoTime();
        BENCH.delayEachRequest(Duration.ZERO);
        int chunks = 0;
        for (JsonNode item : settled) {
            assertThat(item.path("status").asString()).as(item.toString()).isEqualTo("ready");
            assertThat(item.path("chunksDone").asInt()).isEqualTo(item.path("chunksTotal").asInt());
            chunks += item.path("chunksTotal").asInt();
        }
        assertThat(BENCH.textsEmbedded()).isEqualTo(chunks);
        Map<Integer, Long> sizes = new TreeMap<>(BENCH.batchSizes().stream()
                .collect(Collectors.groupingBy(size -> size, Collectors.counting())));
        System.out.printf(Locale.ROOT, "| %d (%s) | %d | %d ms | %.2f | %.2f | %.0f | %d | %s |%n", documents, name,
                chunks, delay.toMillis(), (uploaded - started) / 1e9, (ready - started) / 1e9,
                chunks / ((ready - started) / 1e9), BENCH.requests(), sizes.entrySet().stream()
                        .map(e -> e.getKey() + "×" + e.getValue()).collect(Collectors.joining(", ")));
    }

    private List<JsonNode> awaitAllSettled(TestUsers.Account user, UUID collection, Set<String> ids,
                                           Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Api.Response listed = api.get("/api/v1/collections/" + collection + "/files?limit=200", user.token());
            List<JsonNode> settled = new ArrayList<>();
            for (JsonNode item : listed.json().path("items")) {
                if (ids.contains(item.path("fileId").asString())
                        && Knowledge.SETTLED.contains(item.path("status").asString())) {
                    settled.add(item);
                }
            }
            if (settled.size() == ids.size()) {
                return settled;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("not every file settled within " + timeout);
    }

    @Test
    void uploadLatencyOfTwentyMegabytes() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "bench-upload");
        // No credential: the file gets a failed index row and no job, so ingesting 20 MB does not compete with the
        // uploads being timed. Everything the 202 waits for (spooling, storage, hash, rows) still happens.
        knowledge.setGroupEmbedding(admin, group, "bench", "hash-384-upload");
        UUID collection = knowledge.groupCollection(admin, group, "uploads");
        byte[] content = twentyMegabytes();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                ManagementFactory.getThreadMXBean();
        int warmups = 3;
        int measured = 20;
        long[] nanos = new long[measured];
        long[] peaks = new long[measured];
        long[] retained = new long[measured];
        long[] allocated = new long[measured];
        for (int i = -warmups; i < measured; i++) {
            System.gc();
            long baseline = memory.getHeapMemoryUsage().getUsed();
            long allocatedBefore = threads.getTotalThreadAllocatedBytes();
            AtomicLong peak = new AtomicLong(baseline);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            });
            long t0 = System.nanoTime();
            UUID fileId = knowledge.upload(admin, collection, "big-" + i + ".txt", content);
            long elapsed = System.nanoTime() - t0;
            sampler.interrupt();
            long allocatedDuring = threads.getTotalThreadAllocatedBytes() - allocatedBefore;
            System.gc();
            long after = memory.getHeapMemoryUsage().getUsed();
            assertThat(jdbc.sql("select size_bytes from files where id = :id").param("id", fileId)
                    .query(Long.class).single()).isEqualTo(content.length);
            assertThat(api.delete("/api/v1/files/" + fileId, admin.token()).status()).isEqualTo(204);
            if (i >= 0) {
                nanos[i] = elapsed;
                peaks[i] = peak.get() - baseline;
                retained[i] = after - baseline;
                allocated[i] = allocatedDuring;
            }
        }
        Arrays.sort(nanos);
        Arrays.sort(peaks);
        Arrays.sort(retained);
        Arrays.sort(allocated);
        System.out.printf(Locale.ROOT, "upload of %.1f MiB text, %d uploads after %d warm-ups: 202 after p50 %.1f ms,"
                        + " p99 %.1f ms (max), min %.1f ms; %.0f MiB/s at p50%n", content.length / 1048576.0,
                measured, warmups, p(nanos, 50) / 1e6, p(nanos, 99) / 1e6, nanos[0] / 1e6,
                content.length / 1048576.0 / (p(nanos, 50) / 1e9));
        System.out.printf(Locale.ROOT, "heap during an upload (whole test JVM, client included): peak above the"
                        + " post-GC baseline p50 %.1f MiB, max %.1f MiB; retained after GC p50 %.2f MiB; allocated"
                        + " p50 %.1f MiB%n", p(peaks, 50) / 1048576.0, peaks[measured - 1] / 1048576.0,
                p(retained, 50) / 1048576.0, p(allocated, 50) / 1048576.0);
    }

    @Test
    void retrievalAtOneHundredThousandChunks() {
        boolean pgvector = jdbc.sql("select count(*) from pg_extension where extname = 'vector'")
                .query(Long.class).single() > 0;
        if (!pgvector) {
            System.out.println("retrieval: pgvector is not installed on the test PostgreSQL; skipped");
            return;
        }
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "bench-retrieve");
        knowledge.setGroupEmbedding(admin, group, "bench", "hash-384-retrieval");
        knowledge.addGroupCredential(admin, group, "bench", "sk-bench-retrieve");
        UUID collection = knowledge.groupCollection(admin, group, "100k");
        int space = jdbc.sql("select space_id from collections where id = :id").param("id", collection)
                .query(Integer.class).single();
        long insertStarted = System.nanoTime();
        int files = 1_000;
        int chunksPerFile = 100;
        fill(collection, space, files, chunksPerFile);
        long inserted = System.nanoTime();
        String index = "chunks_space_" + space + "_hnsw";
        transactions.executeWithoutResult(status -> {
            // The statement PgVectorIndex.prepareSpace runs, built in bulk after the rows (a build is much faster
            // than 100,000 single inserts); the memory lets the graph be built in memory.
            jdbc.sql("set local maintenance_work_mem = '1GB'").update();
            jdbc.sql("create index if not exists " + index + " on chunks using hnsw ((embedding::vector("
                    + DIMENSIONS + ")) vector_cosine_ops) where space_id = " + space).update();
        });
        long indexed = System.nanoTime();
        jdbc.sql("analyze chunks").update();
        jdbc.sql("analyze collection_files").update();
        jdbc.sql("analyze file_indexes").update();
        long total = jdbc.sql("select count(*) from chunks where space_id = :s").param("s", space)
                .query(Long.class).single();
        assertThat(total).isEqualTo((long) files * chunksPerFile);
        System.out.printf(Locale.ROOT, "retrieval: %d chunks of %d dimensions in one collection (%d files); insert"
                        + " %.1f s, HNSW build %.1f s (m 16, ef_construction 64; pgvector %s); table with indexes"
                        + " %s%n", total, DIMENSIONS, files, (inserted - insertStarted) / 1e9,
                (indexed - inserted) / 1e9, jdbc.sql("select extversion from pg_extension where extname = 'vector'")
                        .query(String.class).single(),
                jdbc.sql("select pg_size_pretty(pg_total_relation_size('chunks'))").query(String.class).single());

        int queries = 500;
        int warmups = 50;
        System.out.println("| path | topK | p50 ms | p99 ms | mean ms |");
        System.out.println("|---|---|---|---|---|");
        long[] embed = time(warmups, queries, i -> embedDirectly("query " + i));
        row("query embedding alone (fake server, HTTP)", 1, embed);
        for (int topK : new int[]{5, 20}) {
            long scansBefore = indexScans(index);
            long[] http = time(warmups, queries, i -> {
                JsonNode found = knowledge.retrieve(admin, "question " + topK + " " + i, topK, collection);
                assertThat(found.path("chunks").size()).isEqualTo(topK);
            });
            long scans = indexScans(index) - scansBefore;
            row("POST /api/v1/retrieval (embed + search + read chunks), HNSW scans " + scans + " for "
                    + (warmups + queries) + " requests", topK, http);
            long[] sql = time(warmups, queries, i -> assertThat(search(space, BENCH.vectorOf("sql " + i),
                    collection, topK, false)).hasSize(topK));
            row("vector search SQL alone (PgVectorIndex's statement)", topK, sql);
        }
        // Exact searches read every vector; a few are enough for a comparison and for recall.
        long[] exact = time(1, 10, i -> search(space, BENCH.vectorOf("exact " + i), collection, 20, true));
        row("exact search (index scans off: sequential scan and sort)", 20, exact);
        System.out.printf(Locale.ROOT, "recall@20 of the HNSW search against the exact one over 20 queries: %.3f%n",
                recall(space, collection, 20, 20));
        String plan = explain(space, BENCH.vectorOf("explain"), collection, 5);
        System.out.println("plan uses " + index + ": " + plan.contains(index));
        System.out.println(plan);
    }

    /** Files, their collection links and ready indexes, and chunks with random unit vectors, all in SQL. */
    private void fill(UUID collection, int space, int files, int chunksPerFile) {
        jdbc.sql("update embedding_spaces set dimensions = :d where id = :s and dimensions is null")
                .param("d", DIMENSIONS).param("s", space).update();
        transactions.executeWithoutResult(status -> {
            jdbc.sql("create temporary table bench_files on commit drop as select gen_random_uuid() as id"
                    + " from generate_series(1, :n)").param("n", files).update();
            jdbc.sql("""
                    insert into files (id, name, media_type, size_bytes, sha256, storage_key)
                    select id, 'bench.txt', 'text/plain', 100000, md5(id::text), 'bench/' || id from bench_files""")
                    .update();
            jdbc.sql("insert into collection_files (collection_id, file_id) select :c, id from bench_files")
                    .param("c", collection).update();
            jdbc.sql("""
                    insert into file_indexes (file_id, space_id, generation, status, chunks_done, chunks_total)
                    select id, :s, nextval('file_index_generations'), 'ready', :n, :n from bench_files""")
                    .param("s", space).param("n", chunksPerFile).update();
            // The correlated condition makes PostgreSQL draw a new vector for every row.
            jdbc.sql("""
                    insert into chunks (file_id, space_id, chunk_index, content, start_char, end_char, token_count,
                                        embedding)
                    select f.id, :s, g.i, 'Chunk ' || g.i || ' of ' || f.id || '. ' || repeat('text of a chunk ', 55),
                           g.i * 800, g.i * 800 + 1000, 200,
                           l2_normalize((select array_agg(random()::real - 0.5) from generate_series(1, :d) d
                                         where g.i >= 0 and f.id is not null)::vector)
                    from bench_files f cross join generate_series(0, :n - 1) g(i)""")
                    .param("s", space).param("d", DIMENSIONS).param("n", chunksPerFile).update();
        });
    }

    /** The search PgVectorIndex runs (copied, so a change there must be copied here), or the exact one. */
    private List<String> search(int space, float[] query, UUID collection, int topK, boolean exact) {
        return transactions.execute(status -> {
            jdbc.sql("set local hnsw.iterative_scan = relaxed_order").update();
            jdbc.sql("set local hnsw.ef_search = " + Math.max(40, Math.min(1000, topK * 4))).update();
            if (exact) {
                jdbc.sql("set local enable_indexscan = off").update();
            }
            return jdbc.sql(searchSql(space)).param("q", arrayLiteral(query)).param("k", topK)
                    .param("collections", new UUID[]{collection})
                    .query((rs, row) -> rs.getString("file_id") + ":" + rs.getInt("chunk_index")).list();
        });
    }

    private String explain(int space, float[] query, UUID collection, int topK) {
        return transactions.execute(status -> {
            jdbc.sql("set local hnsw.iterative_scan = relaxed_order").update();
            jdbc.sql("set local hnsw.ef_search = " + Math.max(40, Math.min(1000, topK * 4))).update();
            return String.join("\n", jdbc.sql("explain (analyze, buffers) " + searchSql(space))
                    .param("q", arrayLiteral(query)).param("k", topK).param("collections", new UUID[]{collection})
                    .query(String.class).list());
        });
    }

    private static String searchSql(int space) {
        String vector = "cast(cast(:q as real[]) as vector(" + DIMENSIONS + "))";
        String distance = "c.embedding::vector(" + DIMENSIONS + ") <=> " + vector;
        return "with hits as materialized (select c.file_id, c.chunk_index, " + distance
                + " as distance from chunks c where c.space_id = " + space
                + " and c.file_id in (select cf.file_id from collection_files cf join file_indexes fi"
                + " on fi.file_id = cf.file_id and fi.space_id = " + space
                + " where cf.collection_id = any(:collections) and fi.status = 'ready')"
                + " order by " + distance + " limit :k)"
                + " select file_id, chunk_index, 1 - distance as score from hits order by distance";
    }

    private double recall(int space, UUID collection, int topK, int queries) {
        long found = 0;
        for (int i = 0; i < queries; i++) {
            float[] query = BENCH.vectorOf("recall " + i);
            Set<String> truth = new HashSet<>(search(space, query, collection, topK, true));
            found += search(space, query, collection, topK, false).stream().filter(truth::contains).count();
        }
        return (double) found / ((long) queries * topK);
    }

    private long indexScans(String index) {
        // The statistics collector publishes a backend's counters up to a second after its transaction ends.
        try {
            Thread.sleep(1_500);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
        return transactions.execute(status -> {
            jdbc.sql("select pg_stat_clear_snapshot()").query(String.class).list();
            return jdbc.sql("select coalesce(sum(idx_scan), 0) from pg_stat_user_indexes where indexrelname = :i")
                    .param("i", index).query(Long.class).single();
        });
    }

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static void embedDirectly(String text) {
        String body = "{\"model\":\"hash-384-retrieval\",\"input\":[\"" + text + "\"]}";
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                            URI.create(BENCH.openAiBaseUrl() + "/embeddings"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer sk-bench")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        } catch (java.io.IOException failure) {
            throw new java.io.UncheckedIOException(failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    private interface Operation {
        void run(int i);
    }

    private static long[] time(int warmups, int count, Operation operation) {
        for (int i = 0; i < warmups; i++) {
            operation.run(-1 - i);
        }
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            operation.run(i);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void row(String path, int topK, long[] sortedNanos) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |%n", path, topK, p(sortedNanos, 50) / 1e6,
                p(sortedNanos, 99) / 1e6, Arrays.stream(sortedNanos).average().orElse(0) / 1e6);
    }

    /** Nearest-rank percentile of sorted values. */
    private static long p(long[] sorted, int percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static String arrayLiteral(float[] vector) {
        StringBuilder text = new StringBuilder(vector.length * 12).append('{');
        for (int i = 0; i < vector.length; i++) {
            text.append(i > 0 ? "," : "").append(vector[i]);
        }
        return text.append('}').toString();
    }

    /** Plain sentences of common words, about 12.5 tokens each; 640 sentences make about 50 chunks. */
    private static String document(long seed, int sentences) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder();
        for (int s = 0; s < sentences; s++) {
            int words = 8 + random.nextInt(8);
            for (int w = 0; w < words; w++) {
                String word = WORDS[random.nextInt(WORDS.length)];
                text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word)
                        .append(w == words - 1 ? ". " : " ");
            }
            if (s % 8 == 7) {
                text.append("\n\n");
            }
        }
        return text.toString();
    }

    private static byte[] twentyMegabytes() {
        byte[] block = document(7, 8_000).getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[20 * 1024 * 1024];
        for (int at = 0; at < content.length; at += block.length) {
            System.arraycopy(block, 0, content, at, Math.min(block.length, content.length - at));
        }
        return content;
    }
}
