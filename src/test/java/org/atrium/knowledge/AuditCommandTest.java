package org.atrium.knowledge;

import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code java -jar atrium.jar audit}, run as a real process the way an operator runs it: zero orphans and exit 0 on
 * a clean database, the count per store and exit 1 once orphans are planted in the stores directly, and the periodic
 * reconciler of a serving replica repairing what can be repaired (bytes nobody references, jobs for indexes that do
 * not exist). The audit, the serving replica and the test share one database and one local storage directory.
 */
class AuditCommandTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern COUNT = Pattern.compile("(?m)^([a-z_]+)=(\\d+)$");
    private static final String[] STORES = {"rows_without_bytes", "bytes_without_rows", "vectors_without_files",
            "vectors_not_searched", "files_without_collections", "jobs_for_deleted_files"};

    /** What one audit run printed and how it exited. */
    private record Audit(int exitCode, Map<String, Long> counts, String output) {
    }

    @Test
    void auditCountsOrphansPerStoreAndTheReconcilerRepairsBytesAndJobsNobodyNeeds(@TempDir Path dataDir)
            throws IOException {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("audit");
        Path storageRoot = dataDir.resolve("files");
        JdbcClient jdbc = JdbcClient.create(new DriverManagerDataSource(database.jdbcUrl(), database.user(),
                database.password()));
        try (AtriumProcess migrate = AtriumProcess.builder().database(database)
                .env("ATRIUM_DATA_DIR", dataDir.toString()).args("migrate").start()) {
            assertThat(migrate.awaitExit(TIMEOUT)).as(migrate.output()).isZero();
        }

        Audit clean = audit(database, dataDir);

        assertThat(clean.exitCode()).as(clean.output()).isZero();
        assertThat(clean.counts()).as(clean.output()).containsOnlyKeys(STORES).allSatisfy((store, count) ->
                assertThat(count).as(store).isZero());
        assertThat(clean.output()).contains("rows_without_bytes=0").contains("audit: no orphans");

        // Bytes without a row: an object under the files prefix that no file row names.
        Path strayObject = storageRoot.resolve("files").resolve(UUID.randomUUID().toString());
        Files.createDirectories(strayObject.getParent());
        Files.writeString(strayObject, "nobody's bytes", StandardCharsets.UTF_8);
        // A row without bytes: a file held by a group collection whose object was never stored.
        UUID group = UUID.randomUUID();
        UUID collection = UUID.randomUUID();
        UUID ghost = UUID.randomUUID();
        TestInfrastructure.sql(database, "insert into groups (id, name) values ('" + group + "', 'audit-" + group
                + "');\n"
                + "insert into collections (id, name, owner_group_id) values ('" + collection + "', 'Planted', '"
                + group + "');\n"
                + "insert into files (id, name, media_type, size_bytes, sha256, storage_key) values ('" + ghost
                + "', 'ghost.txt', 'text/plain', 5, 'e3b0c442', 'files/" + ghost + "');\n"
                + "insert into collection_files (collection_id, file_id) values ('" + collection + "', '" + ghost
                + "');");
        // A job for a file index that does not exist (not due for a day, so no replica runs it before the repair).
        String orphanJob = UUID.randomUUID() + ":1:1";
        TestInfrastructure.sql(database, "insert into scheduled_tasks (task_name, task_instance, execution_time,"
                + " picked, version) values ('knowledge-ingest', '" + orphanJob + "', now() + interval '1 day',"
                + " false, 1)");

        Audit planted = audit(database, dataDir);

        assertThat(planted.exitCode()).as(planted.output()).isEqualTo(1);
        assertThat(planted.counts()).as(planted.output()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "rows_without_bytes", 1L, "bytes_without_rows", 1L, "vectors_without_files", 0L,
                "vectors_not_searched", 0L, "files_without_collections", 0L, "jobs_for_deleted_files", 1L));
        assertThat(planted.output()).contains("audit: 3 orphans");
        assertThat(strayObject).as("the audit only counts").exists();

        try (AtriumProcess server = AtriumProcess.builder().database(database)
                .env("ATRIUM_DATA_DIR", dataDir.toString())
                .env("ATRIUM_KNOWLEDGE_RECONCILE_INTERVAL", "1s")
                .env("ATRIUM_KNOWLEDGE_ORPHAN_GRACE", "0s")
                .start()) {
            server.awaitReady(TIMEOUT);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(strayObject).as("the stray object\n" + server.output()).doesNotExist();
                assertThat(jdbc.sql("select count(*) from scheduled_tasks where task_instance = :i")
                        .param("i", orphanJob).query(Long.class).single()).as("the orphan job").isZero();
                assertThat(jdbc.sql("select count(*) from storage_garbage").query(Long.class).single())
                        .as("the outbox drained").isZero();
            });
            assertThat(server.output()).contains("knowledge.reconcile.repaired");
            assertThat(server.stop(TIMEOUT)).as(server.output()).isIn(0, 143);
        }

        Audit repaired = audit(database, dataDir);

        assertThat(repaired.counts()).as(repaired.output()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "rows_without_bytes", 1L, "bytes_without_rows", 0L, "vectors_without_files", 0L,
                "vectors_not_searched", 0L, "files_without_collections", 0L, "jobs_for_deleted_files", 0L));
        assertThat(repaired.exitCode()).as("a row whose bytes are lost cannot be repaired, only reported")
                .isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from files where id = :f").param("f", ghost).query(Long.class)
                .single()).as("the reconciler never deletes a file a collection holds").isEqualTo(1);

        TestInfrastructure.sql(database, "delete from collections where id = '" + collection + "'");
        Audit cleared = audit(database, dataDir);

        assertThat(cleared.exitCode()).as(cleared.output()).isZero();
        assertThat(cleared.output()).contains("rows_without_bytes=0").contains("audit: no orphans");
    }

    @Test
    void auditOnADatabaseThatWasNeverMigratedExitsTwoSayingItCannotRunNotThatItFoundOrphans(@TempDir Path dataDir) {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("auditempty");

        Audit audit = audit(database, dataDir);

        assertThat(audit.exitCode()).as("2: could not run; 1 would mean orphans\n" + audit.output()).isEqualTo(2);
        assertThat(audit.output()).contains("`audit` cannot run: the database lacks migrations this build needs")
                .contains("java -jar atrium.jar migrate").contains("atrium audit: could not run")
                .doesNotContain("Atrium refuses to start").doesNotContain("audit: no orphans");
        assertThat(audit.counts()).isEmpty();
    }

    private static Audit audit(TestInfrastructure.Database database, Path dataDir) {
        try (AtriumProcess audit = AtriumProcess.builder().database(database)
                .env("ATRIUM_DATA_DIR", dataDir.toString()).args("audit").start()) {
            int exit = audit.awaitExit(TIMEOUT);
            String output = audit.output();
            Map<String, Long> counts = new LinkedHashMap<>();
            Matcher matcher = COUNT.matcher(output);
            while (matcher.find()) {
                counts.put(matcher.group(1), Long.parseLong(matcher.group(2)));
            }
            return new Audit(exit, counts, output);
        }
    }
}
