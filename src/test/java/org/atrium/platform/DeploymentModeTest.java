package org.atrium.platform;

import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.atrium.platform.ProcessTestSupport.TIMEOUT;

/**
 * One database is served in one mode: cluster replicas need a PostgreSQL they all share, and single-node processes
 * and cluster replicas never serve one database together. Switching modes is stopping one and starting the other.
 */
class DeploymentModeTest {

    /** The deployment-mode lock's key ({@code DeploymentModeGuard}). */
    private static final long MODE_LOCK_KEY = 0x4174726DL;

    @Test
    void clusterModeWithoutAnExternalPostgresRefusesToStartNamingTheVariable() {
        try (AtriumProcess replica = AtriumProcess.builder().redis(TestInfrastructure.redisUrl()).start()) {
            assertThat(replica.awaitExit(TIMEOUT)).as("it must exit, not serve:\n" + replica.output()).isNotZero();
            assertThat(replica.output()).contains("needs an external PostgreSQL")
                    .contains("SPRING_DATASOURCE_URL is not set")
                    .doesNotContain("database.embedded.started").doesNotContain("Jetty started");
        }
    }

    @Test
    void aDatabaseUrlThatIsNotJdbcRefusesToStartNamingTheVariableWithoutAStackTrace() {
        try (AtriumProcess replica = AtriumProcess.builder().redis(TestInfrastructure.redisUrl())
                .env("SPRING_DATASOURCE_URL", "postgres://127.0.0.1:5432/atrium").start()) {
            assertThat(replica.awaitExit(TIMEOUT)).as("it must exit, not serve:\n" + replica.output()).isNotZero();
            assertThat(replica.output()).contains("SPRING_DATASOURCE_URL is not a JDBC URL")
                    .contains("jdbc:postgresql://<host>:<port>/<database>")
                    .doesNotContain("Jetty started").as("reported, not a stack trace")
                    .doesNotContain("Application run failed");
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
                        + " serving this database").doesNotContain("Jetty started");
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
                        + " is serving this database").doesNotContain("Jetty started");
            }
            assertThat(single.api().get("/actuator/health/readiness", null).status()).isEqualTo(200);
        }
    }

    @Test
    void aReplicaWhoseLockASingleNodeTookWhileItsSessionWasDownReportsLivenessDown() throws Exception {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("modelost");
        try (AtriumProcess replica = cluster(database).start()) {
            replica.awaitReady(TIMEOUT);
            try (Connection other = DriverManager.getConnection(database.jdbcUrl(), database.user(),
                    database.password()); Statement statement = other.createStatement()) {
                // What a single node starting while the replica's session is gone does: take the lock exclusively.
                statement.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                        + " where application_name = 'atrium-deployment-mode-guard' and datname = current_database()");
                statement.execute("set lock_timeout = '5s'");
                statement.execute("select pg_advisory_lock(" + MODE_LOCK_KEY + ")");

                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat(replica.api().get("/actuator/health/liveness", null).status()).isEqualTo(503));
                assertThat(replica.output()).contains("deployment_mode.lock.lost");
                assertThat(replica.api().get("/actuator/health/readiness", null).status()).isEqualTo(503);
            }
        }
    }

    private static AtriumProcess.Builder cluster(TestInfrastructure.Database database) {
        return AtriumProcess.builder().database(database).redis(TestInfrastructure.redisUrl());
    }
}
