package org.atrium.benchmarks;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retrieval quality on a public benchmark with relevance judgements (BEIR's layout: SciFact, NFCorpus, ...), measured
 * through the HTTP API only: a collection embedded with the built-in {@code local} all-MiniLM-L6-v2, every document
 * uploaded as its own {@code .txt} file, then every judged query sent to {@code POST /api/v1/retrieval} in each
 * retrieval mode. Prints nDCG@10 and recall@100 (trec_eval's definitions, averaged over all judged queries), query
 * latency and ingestion time for {@code docs/benchmarks.md}. Nothing is tuned: the server runs on its defaults.
 *
 * <p>The dataset is not in the repository (see {@code docs/benchmarks.md} for where to get it); name its directory:
 * <pre>ATRIUM_BENCHMARK_BEIR=/path/to/scifact ./mvnw test -Dtest=RetrievalQualityBenchmark -Dexcluded.test.groups=
 *   -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Without it the test is skipped. Optional: {@code ATRIUM_BENCHMARK_BEIR_MODES} (default
 * {@code vector,keyword,hybrid}), {@code ATRIUM_BENCHMARK_BEIR_SPLIT} (default {@code test}); each may also be given as
 * a system property of the same name in lower case with dots ({@code atrium.benchmark.beir.modes}).
 */
@Tag("benchmark")
class RetrievalQualityBenchmark extends IntegrationTest {

    private static final int UPLOADS_AT_ONCE = 4;
    private static final int TOP_K = 100;
    private static final Duration INGESTION_TIMEOUT = Duration.ofMinutes(90);

    @Test
    void ndcgAtTenThroughTheHttpApi() throws Exception {
        String location = setting("ATRIUM_BENCHMARK_BEIR", null);
        Assumptions.assumeTrue(location != null && Files.isDirectory(Path.of(location)),
                "set ATRIUM_BENCHMARK_BEIR to an unpacked BEIR dataset directory (see docs/benchmarks.md)");
        BeirDataset dataset = BeirDataset.read(Path.of(location), setting("ATRIUM_BENCHMARK_BEIR_SPLIT", "test"));
        System.out.printf(Locale.ROOT, "dataset %s: %d documents, %d judged queries, %d relevant judgements; machine:"
                        + " %d cores, load average %s%n", dataset.name(), dataset.documents().size(),
                dataset.queries().size(), dataset.relevantJudgements(), Runtime.getRuntime().availableProcessors(),
                Machine.loadAverage());

        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "beir-" + dataset.name());
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "local", "all-minilm-l6-v2");
        UUID collection = knowledge.groupCollection(admin, group, "BEIR " + dataset.name());
        Map<String, String> documentOfFile = ingest(admin, collection, dataset);

        List<String> rows = new ArrayList<>();
        Map<String, Map<String, List<String>>> rankings = new LinkedHashMap<>();
        for (String mode : setting("ATRIUM_BENCHMARK_BEIR_MODES", "vector,keyword,hybrid").split(",")) {
            evaluate(admin, collection, dataset, documentOfFile, mode.trim(), rankings, rows);
        }
        System.out.println("| mode | nDCG@10 | recall@100 | queries | p50 ms | p99 ms | documents ranked per query"
                + " | request | result |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        Map<String, List<String>> vector = rankings.get("vector");
        rankings.forEach((mode, ranked) -> {
            if (vector != null && !mode.equals("vector")) {
                long same = ranked.keySet().stream().filter(id -> ranked.get(id).equals(vector.get(id))).count();
                System.out.printf(Locale.ROOT, "%s: %d of %d rankings identical to vector's%s%n", mode, same,
                        ranked.size(), same == ranked.size() ? " (the server seems to ignore \"mode\")" : "");
            }
        });
        PublishedFigures.print(dataset.name());
        System.out.println("load average at the end: " + Machine.loadAverage());
    }

    /** Uploads every document as its own file, UPLOADS_AT_ONCE at a time; waits until all are ready. */
    private Map<String, String> ingest(TestUsers.Account admin, UUID collection, BeirDataset dataset)
            throws Exception {
        Map<String, String> documentOfFile = new ConcurrentHashMap<>();
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        Semaphore slots = new Semaphore(UPLOADS_AT_ONCE);
        long started = System.nanoTime();
        List<Future<?>> uploads = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (BeirDataset.Document document : dataset.documents()) {
                uploads.add(callers.submit(() -> {
                    slots.acquire();
                    try {
                        String fileId = upload(admin, collection, document);
                        if (fileId == null) {
                            refused.add(document.id());
                        } else {
                            documentOfFile.put(fileId, document.id());
                        }
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
        }
        for (Future<?> upload : uploads) {
            upload.get();
        }
        long uploaded = System.nanoTime();
        System.out.printf(Locale.ROOT, "uploads: %d files in %.1f s (%d at a time); %d refused with 415 (never"
                        + " indexed, so never found): %s%n", documentOfFile.size(), (uploaded - started) / 1e9,
                UPLOADS_AT_ONCE, refused.size(), refused);
        int chunks = awaitAllReady(admin, collection, documentOfFile.keySet(), started);
        long ready = System.nanoTime();
        System.out.printf(Locale.ROOT, "ingestion: %d documents, %d chunks, all ready %.1f s after the first upload"
                        + " (%.0f chunks/s, %.1f documents/s)%n", documentOfFile.size(), chunks,
                (ready - started) / 1e9, chunks / ((ready - started) / 1e9),
                documentOfFile.size() / ((ready - started) / 1e9));
        return documentOfFile;
    }

    /**
     * Uploads one document; returns its file id, or null when the server refuses its content type ({@code 415}): type
     * detection looks at the bytes, and a text that starts like a news article or a mailbox is not taken as text.
     */
    private String upload(TestUsers.Account admin, UUID collection, BeirDataset.Document document)
            throws InterruptedException {
        byte[] content = document.content().getBytes(StandardCharsets.UTF_8);
        String fileName = document.id().replaceAll("[^A-Za-z0-9._-]", "_") + ".txt";
        for (int attempt = 1; ; attempt++) {
            Api.Response response = api.upload("/api/v1/collections/" + collection + "/files", fileName, content,
                    admin.token());
            if (response.status() == 202) {
                return response.json().path("fileId").asString();
            }
            if (response.status() == 415) {
                System.out.println("refused " + document.id() + ": " + response.json().path("detail").asString());
                return null;
            }
            if ((response.status() != 429 && response.status() != 503) || attempt == 5) {
                throw new AssertionError("upload of " + document.id() + " answered " + response.status() + ": "
                        + response.text());
            }
            Thread.sleep(200L * attempt);
        }
    }

    /** Polls the collection's listing until every file is ready or failed; returns the number of chunks. */
    private int awaitAllReady(TestUsers.Account admin, UUID collection, Set<String> fileIds, long started)
            throws InterruptedException {
        long deadline = System.nanoTime() + INGESTION_TIMEOUT.toNanos();
        long nextReport = System.nanoTime();
        while (true) {
            Map<String, JsonNode> listed = new HashMap<>();
            for (int offset = 0; ; offset += 200) {
                Api.Response page = api.get("/api/v1/collections/" + collection + "/files?offset=" + offset
                        + "&limit=200", admin.token());
                assertThat(page.status()).as(page.text()).isEqualTo(200);
                page.json().path("items").forEach(item -> listed.put(item.path("fileId").asString(), item));
                if (offset + 200 >= page.json().path("total").asLong()) {
                    break;
                }
            }
            long ready = fileIds.stream().filter(id -> "ready".equals(status(listed.get(id)))).count();
            List<JsonNode> failed = fileIds.stream().map(listed::get).filter(item -> "failed".equals(status(item)))
                    .toList();
            if (ready + failed.size() == fileIds.size()) {
                // A failed file stays in the ranking's denominator: its document is never found.
                failed.forEach(item -> System.out.println("ingestion failed: " + item));
                return fileIds.stream().map(listed::get).filter(item -> "ready".equals(status(item)))
                        .mapToInt(item -> item.path("chunksTotal").asInt()).sum();
            }
            if (System.nanoTime() >= nextReport) {
                System.out.printf(Locale.ROOT, "  %.0f s: %d of %d files ready%n", (System.nanoTime() - started)
                        / 1e9, ready, fileIds.size());
                nextReport = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("only " + ready + " of " + fileIds.size() + " files ready after "
                        + INGESTION_TIMEOUT);
            }
            Thread.sleep(5000);
        }
    }

    private static String status(JsonNode item) {
        return item == null ? "missing" : item.path("status").asString();
    }

    /** Runs every judged query in one mode; adds a table row and the rankings (document ids, best first). */
    private void evaluate(TestUsers.Account admin, UUID collection, BeirDataset dataset,
                          Map<String, String> documentOfFile, String mode,
                          Map<String, Map<String, List<String>>> rankings, List<String> rows) {
        RequestShape shape = RequestShape.negotiate(api, admin.token(), collection, mode,
                dataset.queries().values().iterator().next());
        if (shape == null) {
            rows.add("| " + mode + " | – | – | – | – | – | – | the server rejects \"mode\" | – |");
            return;
        }
        for (int i = 0; i < 5; i++) {
            shape.send(api, admin.token(), collection, "warm-up " + i);
        }
        Map<String, List<String>> ranked = new LinkedHashMap<>();
        double[] millis = new double[dataset.queries().size()];
        double ndcg = 0;
        double recall = 0;
        long documentsRanked = 0;
        boolean grouped = false;
        int i = 0;
        for (Map.Entry<String, String> query : dataset.queries().entrySet()) {
            long before = System.nanoTime();
            Api.Response response = shape.send(api, admin.token(), collection, query.getValue());
            millis[i++] = (System.nanoTime() - before) / 1e6;
            assertThat(response.status()).as("query %s: %s", query.getKey(), response.text()).isEqualTo(200);
            JsonNode body = response.json();
            grouped = body.path("files").isArray();
            List<String> documents = ranking(grouped ? body.path("files") : body.path("chunks"), documentOfFile);
            ranked.put(query.getKey(), documents);
            Map<String, Integer> judged = dataset.qrels().get(query.getKey());
            ndcg += RankingMetrics.ndcg(documents, judged, 10);
            recall += RankingMetrics.recall(documents, judged, TOP_K);
            documentsRanked += documents.size();
        }
        int queries = dataset.queries().size();
        Arrays.sort(millis);
        rows.add(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %d | %.1f | %.1f | %.1f | %s | %s |", mode,
                ndcg / queries, recall / queries, queries, percentile(millis, 0.50), percentile(millis, 0.99),
                (double) documentsRanked / queries, shape.description(),
                grouped ? "files (grouped by the server)" : "chunks, deduplicated by file (best chunk first)"));
        rankings.put(mode, ranked);
        if (mode.equals("vector")) {
            assertThat(ndcg).as("vector retrieval finds judged documents").isGreaterThan(0);
        }
    }

    /** Document ids in order of first appearance: a document's place is that of its best file or chunk. */
    private static List<String> ranking(JsonNode results, Map<String, String> documentOfFile) {
        Set<String> documents = new LinkedHashSet<>();
        for (JsonNode result : results) {
            String document = documentOfFile.get(result.path("fileId").asString());
            assertThat(document).as("a result from a file this benchmark did not upload: %s", result).isNotNull();
            documents.add(document);
        }
        return List.copyOf(documents);
    }

    private static double percentile(double[] sorted, double quantile) {
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    private static String setting(String environmentName, String fallback) {
        String property = System.getProperty(environmentName.toLowerCase(Locale.ROOT).replace('_', '.'));
        if (property != null && !property.isBlank()) {
            return property;
        }
        String variable = System.getenv(environmentName);
        return variable == null || variable.isBlank() ? fallback : variable;
    }
}
