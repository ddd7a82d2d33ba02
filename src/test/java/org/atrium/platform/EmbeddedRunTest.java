package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.platform.ProcessTestSupport.TIMEOUT;
import static org.awaitility.Awaitility.await;

/**
 * The README's zero-setup run: no database URL, no Redis, only a data directory. Atrium starts its own PostgreSQL
 * there, stops it on a graceful stop, and finds its data again on the next start.
 */
class EmbeddedRunTest {

    private static final String PASSWORD = "correct horse battery staple";

    private Path dataDir;

    @AfterEach
    void removeLeftovers() throws IOException {
        if (dataDir == null) {
            return;
        }
        // When a test fails while Atrium runs, AtriumProcess.close() kills the JVM and its PostgreSQL stays behind.
        embeddedPostgresProcesses().forEach(ProcessHandle::destroy);
        for (ProcessHandle orphan : embeddedPostgresProcesses()) {
            orphan.onExit().completeOnTimeout(orphan, 30, java.util.concurrent.TimeUnit.SECONDS).join();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void withoutDatabaseOrRedisAtriumServesFromItsDataDirectoryStopsItsPostgresAndKeepsAccountsAcrossRestarts()
            throws IOException {
        dataDir = Files.createTempDirectory("atrium-embedded-run-");
        String email = "first-admin@atrium.test";
        String userId;

        try (AtriumProcess first = embedded()) {
            first.awaitReady(TIMEOUT);
            assertReadyAndUp(first.api());
            assertThat(embeddedPostgresProcesses()).as("a PostgreSQL server runs on " + postgresDirectory())
                    .isNotEmpty();

            Api.Response signedUp = first.api().post("/api/v1/auth/signup",
                    Map.of("email", email, "name", "First Admin", "password", PASSWORD), null);
            assertThat(signedUp.status()).as(signedUp.text()).isEqualTo(201);
            JsonNode user = signedUp.json().path("user");
            assertThat(user.path("role").asString()).as("the first account administers the instance")
                    .isEqualTo("admin");
            assertThat(signedUp.json().path("token").asString()).isNotBlank();
            userId = user.path("id").asString();

            try (AtriumProcess intruder = embedded()) {
                assertThat(intruder.awaitExit(TIMEOUT)).as(intruder.output()).isNotZero();
                assertThat(intruder.output()).contains("Another Atrium (process " + first.pid() + ")")
                        .contains("ATRIUM_DATA_DIR");
            }
            assertReadyAndUp(first.api());
            assertThat(first.api().get("/api/v1/auth/me", signedUp.json().path("token").asString()).status())
                    .as("a second process on the data directory leaves the first one's database alone")
                    .isEqualTo(200);

            assertPlainTextLogs(first.output());

            int exit = first.stop(TIMEOUT);
            assertThat(exit).as("SIGTERM ends Atrium normally (0, or 143 for the signal):\n" + first.output())
                    .isIn(0, 143);
            assertThat(first.output()).as("a graceful stop logs no error").doesNotContain(" ERROR ");
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(embeddedPostgresProcesses())
                .as("no PostgreSQL may outlive Atrium on " + postgresDirectory()).isEmpty());
        assertThat(postgresDirectory().resolve("postmaster.pid")).as("PostgreSQL was shut down cleanly")
                .doesNotExist();

        try (AtriumProcess second = embedded()) {
            second.awaitReady(TIMEOUT);
            assertReadyAndUp(second.api());
            Api.Response signedIn = second.api().post("/api/v1/auth/signin",
                    Map.of("email", email, "password", PASSWORD), null);
            assertThat(signedIn.status()).as(signedIn.text()).isEqualTo(200);
            assertThat(signedIn.json().path("user").path("id").asString()).isEqualTo(userId);
            assertThat(signedIn.json().path("user").path("role").asString()).isEqualTo("admin");
            assertThat(second.output()).as("the second start migrates nothing new")
                    .contains("applied=\"0\"");
            assertThat(second.stop(TIMEOUT)).as(second.output()).isIn(0, 143);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(embeddedPostgresProcesses()).isEmpty());
    }

    @Test
    void zeroSetupRunIngestsWithTheBuiltInModelAndSearchesWithTheInProcessIndex() throws IOException {
        dataDir = Files.createTempDirectory("atrium-embedded-knowledge-");
        try (AtriumProcess atrium = embedded()) {
            atrium.awaitReady(TIMEOUT);
            Api api = atrium.api();
            String token = api.post("/api/v1/auth/signup", Map.of("email", "knowledge-admin@atrium.test", "name",
                    "Admin", "password", PASSWORD), null).json().path("token").asString();
            Api.Response settings = api.put("/api/v1/settings/instance", Map.of("settings", Map.of(
                    "embedding.connection", "local", "embedding.model", "all-minilm-l6-v2")), token);
            assertThat(settings.status()).as(settings.text()).isEqualTo(200);
            String collection = api.post("/api/v1/collections", Map.of("name", "Notes"), token).json()
                    .path("id").asString();
            String text = "Cats are small felines that purr and chase mice.\n\n"
                    + "Diesel trucks haul freight on the motorway. ".repeat(60);

            Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", "notes.txt",
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8), token);
            assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(api.get("/api/v1/collections/"
                    + collection + "/files", token).json().path("items").get(0).path("status").asString())
                    .isEqualTo("ready"));
            Api.Response found = api.post("/api/v1/retrieval", Map.of("query", "kittens", "collectionIds",
                    List.of(collection), "topK", 1), token);

            assertThat(found.status()).as(found.text()).isEqualTo(200);
            assertThat(found.json().path("chunks").get(0).path("text").asString()).contains("Cats");
            assertThat(atrium.output()).as("no pgvector in the embedded PostgreSQL")
                    .contains("knowledge.index.selected").contains("kind=\"in-process\"");
            assertThat(atrium.stop(TIMEOUT)).as(atrium.output()).isIn(0, 143);
        }
    }

    private AtriumProcess embedded() {
        // AtriumProcess drops every inherited SPRING_* and ATRIUM_* variable: no datasource URL, no Redis.
        return AtriumProcess.builder().env("ATRIUM_DATA_DIR", dataDir.toString()).start();
    }

    private static void assertReadyAndUp(Api api) {
        Api.Response readiness = api.get("/actuator/health/readiness", null);
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().path("status").asString()).isEqualTo("UP");
    }

    private static void assertPlainTextLogs(String output) {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).isNotEmpty();
        assertThat(lines).as("single-node logs are plain text, not JSON").noneMatch(line -> line.startsWith("{"));
        assertThat(lines).as("the embedded PostgreSQL start is reported as a plain-text line")
                .anyMatch(line -> line.matches("^\\d{4}-\\d{2}-\\d{2}T\\S+\\s+INFO .*database\\.embedded\\.started"
                        + " event=\"database\\.embedded\\.started\".*"));
    }

    private Path postgresDirectory() {
        return dataDir.resolve("postgres").toAbsolutePath().normalize();
    }

    /** @return PostgreSQL server processes whose command line names this test's data directory */
    private List<ProcessHandle> embeddedPostgresProcesses() {
        String directory = postgresDirectory().toString();
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(process -> process.info().arguments().map(List::of).orElse(List.of()).contains(directory))
                .toList();
    }
}
