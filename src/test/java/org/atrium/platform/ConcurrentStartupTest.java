package org.atrium.platform;

import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.platform.ProcessTestSupport.TIMEOUT;

/** Replicas of a rollout that start together on a fresh database migrate it once and all serve. */
class ConcurrentStartupTest {

    @Test
    void threeReplicasStartingTogetherOnAnEmptyDatabaseAllBecomeReadyAndApplyEachMigrationExactlyOnce() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("concurrent");
        SortedSet<String> versions = ProcessTestSupport.buildVersions();
        List<AtriumProcess.Builder> builders = Stream.generate(() -> AtriumProcess.builder().database(database)
                .redis(TestInfrastructure.redisUrl()))
                .limit(3).toList();

        try (AtriumProcess first = builders.get(0).start();
             AtriumProcess second = builders.get(1).start();
             AtriumProcess third = builders.get(2).start()) {
            for (AtriumProcess replica : List.of(first, second, third)) {
                replica.awaitReady(TIMEOUT);
            }
            for (AtriumProcess replica : List.of(first, second, third)) {
                assertThat(replica.api().get("/actuator/health/readiness", null).json().path("status").asString())
                        .isEqualTo("UP");
            }
            long migratedReports = Stream.of(first, second, third).map(AtriumProcess::output)
                    .filter(output -> output.contains("database.schema.migrated")).count();
            assertThat(migratedReports).as("every replica went through the migration step").isEqualTo(3);
        }

        Map<String, Long> applied = ProcessTestSupport.successfulRowsPerVersion(database);
        assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(versions);
        assertThat(applied.values()).as("successful history rows per version").containsOnly(1L);
        assertThat(ProcessTestSupport.jdbc(database)
                .sql("select count(*) from flyway_schema_history where not success").query(Long.class).single())
                .isZero();
    }

    @Test
    void aSecondProcessWithoutRedisOnTheSameDatabaseRefusesToStart() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("singlenode");
        try (AtriumProcess first = AtriumProcess.builder().database(database).start()) {
            first.awaitReady(TIMEOUT);
            try (AtriumProcess second = AtriumProcess.builder().database(database).start()) {
                assertThat(second.awaitExit(TIMEOUT)).as(second.output()).isNotZero();
                assertThat(second.output()).contains("Another Atrium process is serving this database without Redis")
                        .contains("SPRING_DATA_REDIS_URL");
            }
            assertThat(first.api().get("/actuator/health/readiness", null).status()).isEqualTo(200);
        }
    }
}
