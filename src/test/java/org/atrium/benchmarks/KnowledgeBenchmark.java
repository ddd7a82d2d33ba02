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
import tools.jackson.databind.JsonNode;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
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
 * Knowledge figures for {@code docs/benchmarks.md}: ingestion throughput and upload latency (retrieval latency and
 * recall are {@link RetrievalLatencyBenchmark}'s). Not part of the default suite; run it alone (it adds a connection
 * {@code bench}, a 384-dimensional {@link FakeEmbeddingServer}, to the shared context, which other test classes'
 * contexts do not know):
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

    private Knowledge knowledge;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
        BENCH.reset();
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average "
                + Machine.loadAverage());
    }

    @AfterEach
    void load() {
        System.out.println("load average at the end: " + Machine.loadAverage());
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

    /** Nearest-rank percentile of sorted values. */
    private static long p(long[] sorted, int percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
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
