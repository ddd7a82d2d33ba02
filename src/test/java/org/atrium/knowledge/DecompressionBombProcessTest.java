package org.atrium.knowledge;

import org.atrium.knowledge.extraction.ExtractionLimits;
import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.Bombs;
import org.atrium.testing.Documents;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8's proof for hostile documents, on a real process with a 512 MiB heap: every kind of generated bomb is
 * accepted or refused without harm, ends {@code failed} with its code after one attempt, readiness answers UP all the
 * while, an ordinary document uploaded meanwhile becomes {@code ready}, and the process never runs out of memory.
 */
class DecompressionBombProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String PASSWORD = "correct horse battery staple";

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void bombsOfEveryKindFailOnceWithTheirCodeWhileTheNodeStaysReadyAndIngestsOtherFiles(@TempDir Path dataDir)
            throws InterruptedException {
        Map<String, byte[]> bombs = new LinkedHashMap<>();
        bombs.put("docx-document.docx", Bombs.docx());
        bombs.put("xlsx-shared-strings.xlsx", Bombs.xlsx());
        bombs.put("nested-zip.pdf", Bombs.nestedZip());
        bombs.put("nested-gzip.pdf", Bombs.nestedGzip());
        bombs.put("pdf-content.pdf", Bombs.pdfContent());
        bombs.put("pdf-pages.pdf", Bombs.pdfPages(ExtractionLimits.defaults().maxPages() + 1));
        Map<String, String> codes = Map.of("docx-document.docx", "decompression_bomb",
                "xlsx-shared-strings.xlsx", "decompression_bomb", "nested-zip.pdf", "decompression_bomb",
                "nested-gzip.pdf", "decompression_bomb", "pdf-content.pdf", "decompression_bomb",
                "pdf-pages.pdf", "document_too_complex");
        byte[] contentTypes = Bombs.contentTypes();

        TestInfrastructure.Database database = TestInfrastructure.createDatabase("bombs");
        try (AtriumProcess atrium = AtriumProcess.builder().database(database)
                .env("ATRIUM_DATA_DIR", dataDir.toString()).start()) {
            atrium.awaitReady(TIMEOUT);
            Api api = atrium.api();
            String token = api.post("/api/v1/auth/signup", Map.of("email", "bomb-admin@atrium.test", "name",
                    "Admin", "password", PASSWORD), null).json().path("token").asString();
            Api.Response settings = api.put("/api/v1/settings/instance", Map.of("settings", Map.of(
                    "embedding.connection", "local", "embedding.model", "all-minilm-l6-v2")), token);
            assertThat(settings.status()).as(settings.text()).isEqualTo(200);
            String collection = api.post("/api/v1/collections", Map.of("name", "Hostile"), token).json()
                    .path("id").asString();
            String files = "/api/v1/collections/" + collection + "/files";

            ConcurrentLinkedQueue<String> unready = new ConcurrentLinkedQueue<>();
            AtomicInteger probes = new AtomicInteger();
            AtomicBoolean probing = new AtomicBoolean(true);
            Thread prober = Thread.ofVirtual().start(() -> {
                while (probing.get()) {
                    try {
                        Api.Response readiness = api.get("/actuator/health/readiness", null);
                        if (readiness.status() != 200 || !readiness.json().path("status").asString().equals("UP")) {
                            unready.add(readiness.status() + " " + readiness.text());
                        }
                    } catch (RuntimeException unanswered) {
                        unready.add(String.valueOf(unanswered));
                    }
                    probes.incrementAndGet();
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            });

            Api.Response refused = api.upload(files, "content-types.docx", contentTypes, token);
            assertThat(refused.status()).as(refused.text()).isEqualTo(422);
            assertThat(refused.json().path("code").asString()).isEqualTo("decompression_bomb");

            Map<String, String> ids = new LinkedHashMap<>();
            bombs.forEach((name, bytes) -> {
                Api.Response uploaded = api.upload(files, name, bytes, token);
                assertThat(uploaded.status()).as(name + ": " + uploaded.text()).isEqualTo(202);
                ids.put(name, uploaded.json().path("fileId").asString());
            });
            Api.Response normal = api.upload(files, "normal.docx", Documents.docx(Documents.SENTENCES.toArray(
                    String[]::new)), token);
            assertThat(normal.status()).as(normal.text()).isEqualTo(202);
            String normalId = normal.json().path("fileId").asString();

            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<String, JsonNode> listed = listed(api, files, token);
                assertThat(listed.get(normalId).path("status").asString()).as(atrium.output()).isEqualTo("ready");
                ids.forEach((name, id) -> assertThat(listed.get(id).path("status").asString()).as(name)
                        .isEqualTo("failed"));
            });
            probing.set(false);
            prober.join();

            Map<String, JsonNode> listed = listed(api, files, token);
            String log = atrium.output();
            ids.forEach((name, id) -> {
                JsonNode file = listed.get(id);
                assertThat(file.path("failureCode").asString()).as(name + ": " + file).isEqualTo(codes.get(name));
                assertThat(file.path("failureReason").asString()).as(name + " was not retried")
                        .doesNotContain("trying again");
                assertThat(log.lines().filter(line -> line.contains("file.ingest.failed") && line.contains(id)))
                        .as(name + " failed once").hasSize(1);
            });
            assertThat(unready).as("readiness answered UP to all %d probes", probes.get()).isEmpty();
            assertThat(probes.get()).isPositive();
            assertThat(log).doesNotContain("OutOfMemoryError").doesNotContain("file.ingest.error");
            assertThat(atrium.stop(TIMEOUT)).as(atrium.output()).isIn(0, 143);
        }
    }

    private static Map<String, JsonNode> listed(Api api, String files, String token) {
        Api.Response response = api.get(files + "?limit=200", token);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (JsonNode item : response.json().path("items")) {
            byId.put(item.path("fileId").asString(), item);
        }
        return byId;
    }
}
