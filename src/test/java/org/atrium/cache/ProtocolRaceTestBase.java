package org.atrium.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.accounts.TokenDigest;
import org.atrium.testing.Api;
import org.atrium.testing.DirectWrites;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the deterministic race tests: one Atrium (cluster mode) on a random port, on a database of its own and a
 * {@link PrivateRedis} that the tests stop, restart and flush, with a {@link PausingProbe} in place of the no-op
 * {@link ProtocolProbe} so that a test can hold a reader or a writer at any step of the protocol.
 *
 * <p>Configuration, and why it is done this way:
 * <ul>
 *     <li>Atrium decides cluster mode from {@code spring.data.redis.url} in an {@code EnvironmentPostProcessor}, which
 *     runs before {@link DynamicPropertySource} values exist. So the JVM-wide system properties that
 *     {@code IntegrationTest}'s static block sets are loaded first (by initialising that class: the JVM then holds
 *     exactly what the rest of the suite expects, whichever test class runs first), and the values of this context
 *     are given with {@link DynamicPropertySource}, which takes precedence over system properties.</li>
 *     <li>The version relay is slowed to once an hour: it repairs a missing raise within a second, which would hide a
 *     protocol bug from these tests. They check the protocol alone.</li>
 *     <li>Event streams check every 100 ms and send heartbeats every 200 ms.</li>
 * </ul>
 * Every subclass has the same configuration, so they share one context (and one database, one private Redis).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(PausingProbe.class)
abstract class ProtocolRaceTestBase {

    static final PrivateRedis REDIS;
    static final TestInfrastructure.Database DATABASE;
    static final Duration WAIT = Duration.ofSeconds(10);

    static {
        try {
            Class.forName("org.atrium.testing.IntegrationTest", true, ProtocolRaceTestBase.class.getClassLoader());
        } catch (ClassNotFoundException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (System.getProperty("spring.data.redis.url") == null) {
            throw new IllegalStateException("IntegrationTest no longer sets spring.data.redis.url: cluster mode"
                    + " would not be selected for the race tests");
        }
        REDIS = PrivateRedis.start();
        DATABASE = TestInfrastructure.createDatabase("races");
    }

    @DynamicPropertySource
    static void privateInfrastructure(DynamicPropertyRegistry registry) throws Exception {
        Path dataDir = Files.createTempDirectory("atrium-races-");
        registry.add("spring.datasource.url", DATABASE::jdbcUrl);
        registry.add("spring.datasource.username", DATABASE::user);
        registry.add("spring.datasource.password", DATABASE::password);
        registry.add("spring.data.redis.url", REDIS::url);
        registry.add("atrium.cache.key-prefix", DATABASE::redisKeyPrefix);
        registry.add("atrium.cache.relay-interval", () -> "1h");
        registry.add("atrium.events.heartbeat", () -> "200ms");
        registry.add("atrium.events.check-interval", () -> "100ms");
        registry.add("atrium.data-dir", dataDir::toString);
    }

    @LocalServerPort
    private int port;

    @Autowired
    protected JdbcClient jdbc;
    @Autowired
    protected PlatformTransactionManager transactions;
    @Autowired
    protected Invalidation invalidation;
    @Autowired
    protected PausingProbe probe;
    @Autowired
    protected VersionedCache cache;
    @Autowired
    protected SharedStore shared;
    @Autowired
    protected MeterRegistry meters;
    @Autowired
    protected CacheProperties cacheProperties;

    protected Api api;
    protected DirectWrites direct;
    protected TestUsers users;

    @BeforeEach
    void connect() {
        probe.reset();
        REDIS.up();
        awaitSharedStoreHealthy();
        api = new Api("http://127.0.0.1:" + port);
        direct = new DirectWrites(jdbc, transactions, invalidation);
        users = new TestUsers(api, direct);
    }

    @AfterEach
    void releaseEverything() {
        probe.reset();
        REDIS.up();
    }

    /**
     * Waits until the application reaches the private Redis again (after a restart its client reconnects and its
     * circuit breaker closes): three calls in a row succeed.
     */
    protected void awaitSharedStoreHealthy() {
        Instant deadline = Instant.now().plusSeconds(20);
        int successes = 0;
        while (successes < 3) {
            try {
                shared.versions(List.of(Scope.INSTANCE.key()));
                successes++;
            } catch (SharedStoreUnavailableException notYet) {
                successes = 0;
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("the application did not reach the private Redis again", notYet);
                }
                sleep(100);
            }
        }
    }

    /**
     * Stops the private Redis and waits until the application's circuit breaker is open, so that Redis calls fail at
     * once (concurrent calls, each failing after the command timeout, open it in one round).
     */
    protected void stopRedis() {
        REDIS.down();
        Instant deadline = Instant.now().plusSeconds(20);
        while (!redisCallsFailFast()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the application's Redis calls do not fail fast after Redis was stopped");
            }
            List<Thread> callers = java.util.stream.IntStream.range(0, 10).mapToObj(i -> Thread.ofVirtual()
                    .start(this::redisCallsFailFast)).toList();
            for (Thread caller : callers) {
                try {
                    caller.join();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
            }
        }
    }

    private boolean redisCallsFailFast() {
        long started = System.nanoTime();
        try {
            shared.versions(List.of(Scope.INSTANCE.key()));
            return false;
        } catch (SharedStoreUnavailableException expected) {
            return Duration.ofNanos(System.nanoTime() - started).toMillis() < 50;
        }
    }

    /** @return the cache key of a credential's state */
    protected static String entryKey(String secret) {
        return "tok:" + TokenDigest.hex(secret);
    }

    /** @return the version of a scope in the private Redis, or {@code null} */
    protected String redisVersion(Scope scope) {
        return REDIS.get(DATABASE.redisKeyPrefix() + "v:" + scope.key());
    }

    /** @return the version of a scope in PostgreSQL (0 without a row) */
    protected long databaseVersion(Scope scope) {
        return jdbc.sql("select coalesce(max(version), 0) from cache_versions where scope = :scope")
                .param("scope", scope.key()).query(Long.class).single();
    }

    /** @return a lookup counter: {@code local_hit}, {@code shared_hit}, {@code miss} or {@code database_validated} */
    protected double lookups(String result) {
        Counter counter = meters.find("atrium.cache.lookups").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    /** @return how many hits (memory or Redis) so far */
    protected double hits() {
        return lookups("local_hit") + lookups("shared_hit");
    }

    /** @return how many offers were refused as stale so far */
    protected double refusedOffers() {
        Counter counter = meters.find("atrium.cache.offers").tag("result", "refused").counter();
        return counter == null ? 0 : counter.count();
    }

    /** @return the caller's effective state (GET /api/v1/me/effective-state), which must answer 200 */
    protected Api.Response state(String secret) {
        Api.Response response = api.get("/api/v1/me/effective-state", secret);
        assertThat(response.status()).as("effective state: %s", response.text()).isEqualTo(200);
        return response;
    }

    /** @return the role the caller's requests are authorised with */
    protected String role(String secret) {
        return state(secret).json().path("role").asString();
    }

    /** @return a setting's effective value as text, as the caller's requests see it */
    protected String setting(String secret, String key) {
        return state(secret).json().path("settings").path(key).path("value").toString();
    }

    /** Promotes or demotes through the API, as an admin; the change is acknowledged when this returns. */
    protected void changeRole(TestUsers.Account admin, TestUsers.Account target, String role) {
        Api.Response response = api.patch("/api/v1/users/" + target.id(), java.util.Map.of("role", role),
                admin.token());
        assertThat(response.status()).as("role change: %s", response.text()).isEqualTo(200);
    }

    /** Runs a request on another thread. */
    protected static CompletableFuture<Api.Response> inBackground(Supplier<Api.Response> request) {
        return CompletableFuture.supplyAsync(request, command -> Thread.ofVirtual().start(command));
    }

    /** Waits for a background request. */
    protected static Api.Response await(CompletableFuture<Api.Response> request) {
        try {
            return request.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception failure) {
            throw new AssertionError("the background request did not complete", failure);
        }
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
