package org.atrium.platform;

import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.platform.ProcessTestSupport.TIMEOUT;

/**
 * One database is served in one mode: cluster replicas need a PostgreSQL they all share, and single-node processes
 * and cluster replicas never serve one database together. Switching modes is stopping one and starting the other.
 */
class DeploymentModeTest {

    @Test
    void clusterModeWithoutAnExternalPostgresRefusesToStartNamingTheVariable() {
        try (AtriumProcess replica = AtriumProcess.builder().redis(TestInfrastructure.redisUrl()).start()) {
            assertThat(replica.awaitExit(TIMEOUT)).as("it must exit, not serve:\n" + replica.output()).isNotZero();
            assertThat(replica.output()).contains("needs an external PostgreSQL")
                    .contains("SPRING_DATASOURCE_URL is not set")
                    .doesNotContain("database.embedded.started").doesNotContain("Tomcat started");
        }
    }

    @Test
    void singleNodeAndClusterProcessesRefuseToServeOneDatabaseTogetherAndASwitchWorksAfterAStop() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("modes");
        try (AtriumProcess replica = cluster(database).start()) {
            replica.awaitReady(TIMEOUT);
            try (AtriumProcess single = AtriumProcess.builder().database(database).start()) {
                assertThat(single.awaitExit(TIMEOUT)).as("it must exit, not serve:\n" + single.output()).isNotZero();
                assertThat(single.output()).contains("Cluster replicas (started with SPRING_DATA_REDIS_URL) are"
                        + " serving this database").doesNotContain("Tomcat started");
            }
            try (AtriumProcess second = cluster(database).start()) {
                second.awaitReady(TIMEOUT);
                assertThat(second.stop(TIMEOUT)).as(second.output()).isIn(0, 143);
            }
            assertThat(replica.stop(TIMEOUT)).as(replica.output()).isIn(0, 143);
        }

        try (AtriumProcess single = AtriumProcess.builder().database(database).start()) {
            single.awaitReady(TIMEOUT);
            try (AtriumProcess replica = cluster(database).start()) {
                assertThat(replica.awaitExit(TIMEOUT)).as("it must exit, not serve:\n" + replica.output())
                        .isNotZero();
                assertThat(replica.output()).contains("A single-node Atrium (started without SPRING_DATA_REDIS_URL)"
                        + " is serving this database").doesNotContain("Tomcat started");
            }
            assertThat(single.api().get("/actuator/health/readiness", null).status()).isEqualTo(200);
        }
    }

    private static AtriumProcess.Builder cluster(TestInfrastructure.Database database) {
        return AtriumProcess.builder().database(database).redis(TestInfrastructure.redisUrl());
    }
}
