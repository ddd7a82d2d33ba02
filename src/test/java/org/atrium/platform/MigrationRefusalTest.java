package org.atrium.platform;

import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SortedSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.platform.ProcessTestSupport.TIMEOUT;

/**
 * Databases this build does not understand are refused, by {@code validate} and by a serving process alike, with a
 * statement of what was found and what to do (Spring Boot's failure analysis), never a stack trace.
 *
 * <p>The refusals of recorded history share one migrated database: each test tampers with flyway_schema_history and
 * puts it back afterwards.
 */
class MigrationRefusalTest {

    private static final String REFUSAL = "Atrium refuses to start: ";
    /** validate reports a database it does not accept as its finding (exit 1), not as a failure to start. */
    private static final String MISMATCH = "validate: the database does not match this build: ";

    private static TestInfrastructure.Database migrated;
    private static SortedSet<String> versions;

    @BeforeAll
    static void migrateOneDatabase() {
        versions = ProcessTestSupport.buildVersions();
        migrated = TestInfrastructure.createDatabase("refusal");
        ProcessTestSupport.migrate(migrated);
    }

    @Test
    void appliedMigrationUnknownToThisBuildIsRefusedByValidateAndByAServingProcessPointingToANewerAtrium() {
        TestInfrastructure.sql(migrated, "insert into flyway_schema_history (installed_rank, version, description,"
                + " type, script, checksum, installed_by, execution_time, success) select max(installed_rank) + 1,"
                + " '999', 'from the future', 'SQL', 'V999__from_the_future.sql', 12345, current_user, 1, true"
                + " from flyway_schema_history");
        try {
            String validateRefusal;
            try (AtriumProcess validate = AtriumProcess.builder().database(migrated).args("validate").start()) {
                assertThat(validate.awaitExit(TIMEOUT)).as(validate.output()).isEqualTo(1);
                validateRefusal = assertRefusal(validate.output(), MISMATCH,
                        "the database has applied migrations that this build does not know: V999 (from the future)",
                        "Run the Atrium version that applied these migrations, or a newer one");
                assertThat(validateRefusal).contains("A newer Atrium has migrated it");
                assertThat(MigrationCommandsTest.actionSection(validate.output()))
                        .contains("restore the database from a backup");
            }
            try (AtriumProcess serve = AtriumProcess.builder().database(migrated).start()) {
                assertThat(serve.awaitExit(TIMEOUT)).as("a serving process must exit, not serve:\n" + serve.output())
                        .isNotZero();
                String serveRefusal = assertRefusal(serve.output(), REFUSAL,
                        "the database has applied migrations that this build does not know: V999 (from the future)",
                        "Run the Atrium version that applied these migrations, or a newer one");
                assertThat(serveRefusal).isEqualTo(validateRefusal);
                assertThat(serve.output()).doesNotContain("Jetty started");
            }
            assertThat(ProcessTestSupport.successfulRowsPerVersion(migrated))
                    .as("a refused database is left as it was")
                    .hasSize(versions.size() + 1).containsEntry("999", 1L);
        } finally {
            TestInfrastructure.sql(migrated, "delete from flyway_schema_history where version = '999'");
        }
    }

    @Test
    void checksumMismatchIsRefusedAndTellsToDeployTheBuildWhoseMigrationsWereApplied() {
        String first = versions.first();
        String description = description(first);
        TestInfrastructure.sql(migrated,
                "update flyway_schema_history set checksum = checksum + 1 where version = '" + first + "'");
        try (AtriumProcess validate = AtriumProcess.builder().database(migrated).args("validate").start()) {
            assertThat(validate.awaitExit(TIMEOUT)).as(validate.output()).isEqualTo(1);
            assertRefusal(validate.output(), MISMATCH,
                    "migrations were changed after they were applied (checksum mismatch): V" + first + " ("
                            + description + ")",
                    "Deploy the build whose migrations were applied to this database");
            assertThat(MigrationCommandsTest.actionSection(validate.output())).contains("new migration");
        } finally {
            TestInfrastructure.sql(migrated,
                    "update flyway_schema_history set checksum = checksum - 1 where version = '" + first + "'");
        }
    }

    @Test
    void failedMigrationInTheHistoryIsRefusedAndTellsHowToRepairTheHistory() {
        // A failed row is what a migration that broke half-way leaves behind where DDL is not transactional, or
        // what an operator's manual repair left; recorded here for the build's latest migration.
        String last = versions.last();
        String description = description(last);
        TestInfrastructure.sql(migrated, "update flyway_schema_history set success = false where version = '"
                + last + "'");
        try (AtriumProcess validate = AtriumProcess.builder().database(migrated).args("validate").start()) {
            assertThat(validate.awaitExit(TIMEOUT)).as(validate.output()).isEqualTo(1);
            String refusal = assertRefusal(validate.output(), MISMATCH,
                    "the schema history records failed migrations: V" + last + " (" + description + ")",
                    "delete the failed rows from flyway_schema_history");
            assertThat(refusal).contains("unknown state");
        } finally {
            TestInfrastructure.sql(migrated, "update flyway_schema_history set success = true where version = '"
                    + last + "'");
        }
    }

    @Test
    void migrationThatFailsWhileBeingAppliedStopsStartupReadablyAndLeavesNoTraceOfItself() throws Exception {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("brokenmig");
        // Replicas run without the test classes, so the broken migration is given as a directory.
        String broken = java.nio.file.Path.of(getClass().getResource("/db/broken").toURI()).toString();
        String output;
        try (AtriumProcess serve = AtriumProcess.builder().database(database)
                .env("SPRING_FLYWAY_LOCATIONS", "classpath:db/migration,filesystem:" + broken).start()) {
            assertThat(serve.awaitExit(TIMEOUT)).as("a serving process must exit, not serve:\n" + serve.output())
                    .isNotZero();
            String refusal = assertRefusal(serve.output(), REFUSAL, "a migration failed while being applied: ",
                    "deploy a fixed build");
            assertThat(refusal).contains("V900").contains("rolled back");
            output = serve.output();
        }
        Map<String, Long> applied = ProcessTestSupport.successfulRowsPerVersion(database);
        assertThat(applied).doesNotContainKey("900");
        assertThat(applied.keySet()).as("the build's own migrations, applied before V900, stay applied")
                .containsExactlyInAnyOrderElementsOf(versions);
        assertThat(ProcessTestSupport.jdbc(database)
                .sql("select count(*) from flyway_schema_history where version = '900'").query(Long.class).single())
                .as("PostgreSQL rolled the failed migration back, history row included").isZero();
        assertThat(ProcessTestSupport.tableExists(database, "broken_migration_leftover"))
                .as("the statement before the failing one was rolled back too").isFalse();
        // The Action says "Read the error above": PostgreSQL's own error must be in the output for that to help.
        assertThat(output).as("the database's own error says what went wrong")
                .contains("relation \"table_that_does_not_exist\" does not exist");
    }

    /**
     * Checks Spring Boot's failure analysis: the description line (returned), then an Action section, no stack trace.
     */
    /** @return what was found, after the lead that says who refuses */
    private static String assertRefusal(String output, String lead, String what, String action) {
        assertThat(output).contains("APPLICATION FAILED TO START").contains("Description:");
        int start = output.indexOf(lead);
        assertThat(start).as("\"" + lead + "\" in\n" + output).isNotNegative();
        int end = output.indexOf('\n', start);
        String refusal = output.substring(start + lead.length(), end < 0 ? output.length() : end).strip();
        assertThat(refusal).startsWith(what);
        assertThat(MigrationCommandsTest.actionSection(output)).contains(action);
        assertThat(output).as("a refusal is a statement, not a stack trace").doesNotContain("\tat org.");
        return refusal;
    }

    private static String description(String version) {
        return ProcessTestSupport.jdbc(migrated).sql("select description from flyway_schema_history where version = :v")
                .param("v", version).query(String.class).single();
    }
}
