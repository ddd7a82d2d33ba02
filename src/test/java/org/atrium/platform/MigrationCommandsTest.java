package org.atrium.platform;

import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SortedSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.platform.ProcessTestSupport.TIMEOUT;

/** The {@code migrate} and {@code validate} commands, run as real processes the way a Kubernetes Job runs them. */
class MigrationCommandsTest {

    @Test
    void migrateAppliesEveryMigrationOfTheBuildAndExitsZeroThenValidateAcceptsTheDatabase() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("migratecmd");
        SortedSet<String> versions = ProcessTestSupport.buildVersions();

        try (AtriumProcess migrate = AtriumProcess.builder().database(database).args("migrate").start()) {
            assertThat(migrate.awaitExit(TIMEOUT)).as(migrate.output()).isZero();
            assertThat(migrate.output()).contains("database.schema.migrated")
                    .contains("applied=\"" + versions.size() + "\"");
        }
        Map<String, Long> applied = ProcessTestSupport.successfulRowsPerVersion(database);
        assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(versions);
        assertThat(applied.values()).containsOnly(1L);
        assertThat(ProcessTestSupport.tableExists(database, "users")).isTrue();

        long rowsBefore = historyRows(database);
        try (AtriumProcess validate = AtriumProcess.builder().database(database).args("validate").start()) {
            assertThat(validate.awaitExit(TIMEOUT)).as(validate.output()).isZero();
            assertThat(validate.output()).contains("database.schema.validated")
                    .doesNotContain("APPLICATION FAILED TO START");
        }
        assertThat(historyRows(database)).as("validate must not change the schema history").isEqualTo(rowsBefore);
    }

    @Test
    void aFlagBeforeTheCommandStillRunsTheCommand() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("flagfirst");

        try (AtriumProcess migrate = AtriumProcess.builder().database(database)
                .args("--spring.main.log-startup-info=false", "migrate").start()) {
            assertThat(migrate.awaitExit(TIMEOUT)).as(migrate.output()).isZero();
            assertThat(migrate.output()).contains("database.schema.migrated").doesNotContain("Jetty started");
        }
        assertThat(ProcessTestSupport.tableExists(database, "users")).isTrue();
    }

    @Test
    void anUnknownCommandExitsTwoWithTheListOfCommandsInsteadOfServing() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("unknowncmd");
        for (String[] args : new String[][]{{"migrat"}, {"--foo", "migrat"}, {"migrate", "now"}}) {
            try (AtriumProcess typo = AtriumProcess.builder().database(database).args(args).start()) {
                assertThat(typo.awaitExit(TIMEOUT)).as(String.join(" ", args) + ":\n" + typo.output()).isEqualTo(2);
                assertThat(typo.output()).contains("Unknown command: " + String.join(" ", args))
                        .contains("serve", "migrate", "validate", "rotate-secrets", "audit")
                        .doesNotContain("Jetty started").doesNotContain("database.schema");
            }
        }
        assertThat(ProcessTestSupport.tableExists(database, "flyway_schema_history")).as("nothing ran").isFalse();
    }

    @Test
    void validateOnAnEmptyDatabaseExitsOneNamingTheMissingMigrationsAndTheMigrateCommand() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("validateempty");
        SortedSet<String> versions = ProcessTestSupport.buildVersions();

        try (AtriumProcess validate = AtriumProcess.builder().database(database).args("validate").start()) {
            assertThat(validate.awaitExit(TIMEOUT)).as(validate.output()).isEqualTo(1);
            String output = validate.output();
            assertThat(output)
                    .contains("validate: the database does not match this build: the database lacks migrations this"
                            + " build needs: "
                            + versions.stream().map(v -> "V" + v).collect(Collectors.joining(", ")) + ".")
                    .contains("Action:")
                    .contains("migrate");
            assertThat(actionSection(output)).contains("java -jar atrium.jar migrate");
            assertThat(output).as("a refusal is a statement, not a stack trace").doesNotContain("\tat org.");
        }
        assertThat(ProcessTestSupport.tableExists(database, "users")).as("validate must not migrate").isFalse();
        assertThat(ProcessTestSupport.tableExists(database, "flyway_schema_history")).isFalse();
    }

    private static long historyRows(TestInfrastructure.Database database) {
        return ProcessTestSupport.jdbc(database).sql("select count(*) from flyway_schema_history")
                .query(Long.class).single();
    }

    /** @return the text after Spring Boot's "Action:" heading */
    static String actionSection(String output) {
        int action = output.lastIndexOf("Action:");
        assertThat(action).as("an Action: section in\n" + output).isNotNegative();
        return output.substring(action);
    }
}
