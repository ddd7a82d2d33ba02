package org.atrium.platform;

import org.atrium.testing.Cluster;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import periodicprobe.PeriodicProbeConfiguration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Periodic work on real replicas sharing one PostgreSQL: a periodic task runs once per period across the cluster,
 * never on two replicas at once; a run that throws is logged and counted and the schedule goes on; when the replica
 * running it is SIGKILLed, another replica runs it on time. The task is a probe (test code appended to the replicas'
 * class path) run by the product's own job scheduler, as every module's periodic task is.
 */
class PeriodicWorkClusterTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    /** The replicas' job heartbeat: a run whose replica missed 4 of them is taken over. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private Cluster cluster;

    /** A run of the probe, as it recorded itself. */
    private record Run(long id, String replica, Instant started, Instant finished, boolean failed) {
    }

    @BeforeEach
    void startCluster() {
        cluster = Cluster.start("periodic", Map.of("ATRIUM_JOBS_HEARTBEAT_INTERVAL", HEARTBEAT.toMillis() + "ms",
                "ATRIUM_JOBS_POLLING_INTERVAL", "200ms", "PERIODICPROBE_INTERVAL", INTERVAL.toMillis() + "ms"),
                List.of());
        // A schema of its own: Atrium refuses to migrate a public schema holding tables it does not know.
        execute("create schema probe");
        execute("create table probe.periodic_probe_runs (id bigserial primary key, replica text not null,"
                + " started_at timestamptz not null default clock_timestamp(), finished_at timestamptz,"
                + " failed boolean not null default false)");
        cluster.classPathAddition(probeClassPath());
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eachPeriodRunsOnOneReplicaAtATimeAndAFailingRunKeepsTheSchedule() throws Exception {
        cluster.addReplicas(List.of(probe("r0", Duration.ofMillis(300), 3), probe("r1", Duration.ofMillis(300), 3)));

        List<Run> runs = awaitRuns(6, Duration.ofSeconds(60));

        for (int i = 1; i < runs.size(); i++) {
            Run previous = runs.get(i - 1);
            Run run = runs.get(i);
            assertThat(previous.finished()).as("run %d ended before run %d began: %s", previous.id(), run.id(), runs)
                    .isNotNull().isBeforeOrEqualTo(run.started());
            assertThat(Duration.between(previous.finished(), run.started())).as("on time after run %d: %s",
                    previous.id(), runs).isLessThan(INTERVAL.plusSeconds(3));
        }
        List<Run> failed = runs.stream().filter(Run::failed).toList();
        assertThat(failed).as("every third run throws").hasSizeGreaterThanOrEqualTo(2);
        Run firstFailure = failed.getFirst();
        assertThat(runs).as("runs go on after a failure").anySatisfy(run ->
                assertThat(run.started()).isAfter(firstFailure.finished()));
        String outputs = cluster.outputs();
        assertThat(outputs.lines().filter(line -> line.contains("\"event\":\"job.failed\"")
                && line.contains("\"task\":\"" + PeriodicProbeConfiguration.TASK + "\"")
                && line.contains("\"reason\":\"IllegalStateException\"")
                && line.contains("fails on purpose")).count()).as("each failed run logged with its task")
                .isGreaterThanOrEqualTo(2);
        long counted = 0;
        for (int replica = 0; replica < cluster.size(); replica++) {
            counted += failuresCounted(cluster.api(replica).get("/actuator/prometheus",
                    TestInfrastructure.METRICS_TOKEN).text());
        }
        assertThat(counted).as("failures counted across the replicas").isGreaterThanOrEqualTo(2);
    }

    @Test
    void whenTheReplicaRunningThePeriodicTaskIsKilledAnotherRunsItsNextPeriodOnTime() throws Exception {
        cluster.addReplicas(List.of(probe("r0", Duration.ofSeconds(5), 0), probe("r1", Duration.ofSeconds(5), 0)));
        Run running = awaitRunning(Duration.ofSeconds(60));
        int victim = running.replica().equals("r0") ? 0 : 1;

        Instant killed = Instant.now();
        cluster.kill(victim);

        // The dead replica's run is taken over once it missed 4 heartbeats, then the next period runs elsewhere.
        Duration onTime = HEARTBEAT.multipliedBy(4).plus(INTERVAL).plusSeconds(6);
        Run next = awaitRun(run -> run.id() > running.id(), onTime.plusSeconds(20));
        assertThat(next.replica()).as("the survivor").isEqualTo(victim == 0 ? "r1" : "r0");
        assertThat(Duration.between(killed, next.started())).as("the next run, after the kill").isLessThan(onTime);
        assertThat(runs().stream().filter(run -> run.id() == running.id()).findFirst().orElseThrow().finished())
                .as("the killed run never ended").isNull();
        Run after = awaitRun(run -> run.id() > next.id(), Duration.ofSeconds(20));
        assertThat(after.replica()).as("and the schedule goes on").isEqualTo(next.replica());
    }

    private static Map<String, String> probe(String replica, Duration duration, int failEvery) {
        return Map.of("PERIODICPROBE_REPLICA", replica, "PERIODICPROBE_DURATION", duration.toMillis() + "ms",
                "PERIODICPROBE_FAIL_EVERY", String.valueOf(failEvery));
    }

    /** The probe's classes alone, with the auto-configuration entry that registers it. */
    private static Path probeClassPath() {
        try {
            Path classes = Path.of(PeriodicProbeConfiguration.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            Path directory = Files.createTempDirectory("periodic-probe-");
            Path packageDirectory = directory.resolve("periodicprobe");
            Files.createDirectories(packageDirectory);
            try (Stream<Path> files = Files.list(classes.resolve("periodicprobe"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, packageDirectory.resolve(file.getFileName()));
                }
            }
            Path imports = directory.resolve(
                    "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports");
            Files.createDirectories(imports.getParent());
            Files.writeString(imports, PeriodicProbeConfiguration.class.getName() + "\n");
            return directory;
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        } catch (URISyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static long failuresCounted(String metrics) {
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("atrium_jobs_failures_total{") && line.contains(PeriodicProbeConfiguration.TASK)) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private List<Run> awaitRuns(int ended, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Run> runs = runs();
        while (runs.stream().filter(run -> run.finished() != null).count() < ended) {
            assertThat(System.nanoTime()).as("%d runs within %s: %s", ended, timeout, runs).isLessThan(deadline);
            Thread.sleep(200);
            runs = runs();
        }
        return runs.stream().filter(run -> run.finished() != null).toList();
    }

    private Run awaitRunning(Duration timeout) throws InterruptedException {
        return awaitRun(run -> run.finished() == null, timeout);
    }

    private Run awaitRun(java.util.function.Predicate<Run> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Run> runs = runs();
            for (Run run : runs) {
                if (wanted.test(run)) {
                    return run;
                }
            }
            assertThat(System.nanoTime()).as("a run as wanted within %s: %s", timeout, runs).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private List<Run> runs() {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select id, replica, started_at, finished_at, failed"
                     + " from probe.periodic_probe_runs order by started_at, id")) {
            List<Run> runs = new ArrayList<>();
            while (rows.next()) {
                java.sql.Timestamp finished = rows.getTimestamp("finished_at");
                runs.add(new Run(rows.getLong("id"), rows.getString("replica"),
                        rows.getTimestamp("started_at").toInstant(), finished == null ? null : finished.toInstant(),
                        rows.getBoolean("failed")));
            }
            return runs;
        } catch (SQLException failure) {
            throw new IllegalStateException(failure);
        }
    }

    private void execute(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException failure) {
            throw new IllegalStateException(failure);
        }
    }

    private Connection connect() throws SQLException {
        TestInfrastructure.Database database = cluster.database();
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }
}
