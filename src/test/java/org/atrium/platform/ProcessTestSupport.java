package org.atrium.platform;

import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What the process tests of this package share: the build's migrations, the schema history, timeouts. */
final class ProcessTestSupport {

    /** How long a JVM may take to start, become ready or exit on this small machine. */
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static final Pattern VERSIONED = Pattern.compile("V([0-9_.]+)__.+\\.sql");

    private ProcessTestSupport() {
    }

    /** @return the versions of the migrations this build ships (classpath:db/migration), as Flyway writes them */
    static SortedSet<String> buildVersions() {
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver()
                    .getResources("classpath*:db/migration/V*__*.sql");
            SortedSet<String> versions = Arrays.stream(resources)
                    .map(Resource::getFilename)
                    .filter(Objects::nonNull)
                    .map(VERSIONED::matcher)
                    .filter(Matcher::matches)
                    .map(m -> m.group(1).replace('_', '.'))
                    .collect(Collectors.toCollection(() -> new TreeSet<>(ProcessTestSupport::compareVersions)));
            if (versions.isEmpty()) {
                throw new IllegalStateException("no migrations found on the classpath under db/migration");
            }
            return versions;
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /** @return a JDBC client on a test database */
    static JdbcClient jdbc(TestInfrastructure.Database database) {
        return JdbcClient.create(new DriverManagerDataSource(database.jdbcUrl(), database.user(), database.password()));
    }

    /** @return for each version in flyway_schema_history, how many successful rows it has */
    static Map<String, Long> successfulRowsPerVersion(TestInfrastructure.Database database) {
        return jdbc(database).sql("select version, count(*) as n from flyway_schema_history"
                        + " where success and version is not null group by version")
                .query((rs, row) -> Map.entry(rs.getString("version"), rs.getLong("n")))
                .list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** @return whether the database has a table of that name in the public schema */
    static boolean tableExists(TestInfrastructure.Database database, String table) {
        return jdbc(database).sql("select to_regclass(:name) is not null").param("name", "public." + table)
                .query(Boolean.class).single();
    }

    /** Runs {@code migrate} against the database and fails the test unless it exits 0. */
    static void migrate(TestInfrastructure.Database database) {
        try (AtriumProcess migrate = AtriumProcess.builder().database(database).args("migrate").start()) {
            int exit = migrate.awaitExit(TIMEOUT);
            if (exit != 0) {
                throw new AssertionError("migrate exited with " + exit + ":\n" + migrate.output());
            }
        }
    }

    private static int compareVersions(String left, String right) {
        String[] a = left.split("\\.");
        String[] b = right.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            long x = i < a.length ? Long.parseLong(a[i]) : 0;
            long y = i < b.length ? Long.parseLong(b[i]) : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        return 0;
    }
}
