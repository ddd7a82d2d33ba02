package org.atrium.cache;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Race (b) of docs/consistency.md with real processes: two Atrium replicas on one database and one private Redis,
 * with the shipped configuration except the relay (once an hour, so that it cannot repair what the protocol should
 * already guarantee). One replica is armed to halt, as if SIGKILLed, right after its writer commits and before its
 * post-commit raise and its answer ({@code ATRIUM_TESTING_HALT_AT=WRITER_AFTER_COMMIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaltedWriterProcessTest {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private PrivateRedis redis;
    private TestInfrastructure.Database database;
    private AtriumProcess halting;
    private AtriumProcess survivor;
    private TestUsers.Account admin;
    private TestUsers.Account user;

    @BeforeAll
    void startReplicas() {
        redis = PrivateRedis.start();
        database = TestInfrastructure.createDatabase("halt");
        halting = replica().env("ATRIUM_TESTING_HALT_AT", "WRITER_AFTER_COMMIT").start();
        survivor = replica().start();
        halting.awaitReady(STARTUP);
        survivor.awaitReady(STARTUP);
        admin = signUp(survivor.api(), "admin");
        user = signUp(survivor.api(), "user");
        Api.Response approved = survivor.api().patch("/api/v1/users/" + user.id(), Map.of("role", "user"),
                admin.token());
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
    }

    @AfterAll
    void stopReplicas() {
        for (AutoCloseable closeable : new AutoCloseable[]{halting, survivor, redis}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    @Order(1)
    void otherReplicaServesTheNewRoleAfterTheWriterHaltedBetweenCommitAndPostCommitRaise() {
        Api other = survivor.api();
        assertThat(other.get("/api/v1/users", user.token()).status()).isEqualTo(403);
        assertThat(other.get("/api/v1/users", user.token()).status()).as("now cached on that replica and in Redis")
                .isEqualTo(403);
        assertThat(other.get("/api/v1/me/effective-state", user.token()).json().path("role").asString())
                .isEqualTo("user");
        assertThat(halting.output()).contains("testing.fault_injection.armed");

        // The admin signs in on the halting replica: a session no replica has cached, so that this test checks the
        // halt alone (a state cached in Redis by the other replica would be a Redis hit there; see SharedLayerTest).
        Api.Response signedIn = halting.api().post("/api/v1/auth/signin",
                Map.of("email", admin.email(), "password", admin.password()), null);
        assertThat(signedIn.status()).as(signedIn.text()).isEqualTo(200);
        String adminOnHalting = signedIn.json().path("token").asString();
        try {
            Api.Response answered = halting.api().patch("/api/v1/users/" + user.id(), Map.of("role", "admin"),
                    adminOnHalting);
            fail("the halting replica answered: " + answered.status() + " " + answered.text() + "\n"
                    + halting.output());
        } catch (UncheckedIOException expected) {
            // the process halted while handling the request
        }
        assertThat(halting.awaitExit(Duration.ofSeconds(30))).isEqualTo(137);

        JdbcClient jdbc = JdbcClient.create(new DriverManagerDataSource(database.jdbcUrl(), database.user(),
                database.password()));
        assertThat(jdbc.sql("select role from users where id = :id").param("id", user.id()).query(String.class)
                .single()).as("the change was committed").isEqualTo("admin");
        long version = jdbc.sql("select version from cache_versions where scope = :scope")
                .param("scope", Scope.user(user.id()).key()).query(Long.class).single();
        assertThat(redis.get(database.redisKeyPrefix() + "v:" + Scope.user(user.id()).key()))
                .as("raised in Redis before the commit; the post-commit raise never ran")
                .isEqualTo(Long.toString(version));

        Api.Response me = other.get("/api/v1/auth/me", user.token());
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("role").asString()).isEqualTo("admin");
        assertThat(other.get("/api/v1/users", user.token()).status()).as("authorised as admin").isEqualTo(200);
        assertThat(other.get("/api/v1/me/effective-state", user.token()).json().path("role").asString())
                .isEqualTo("admin");
    }

    /**
     * docs/consistency.md (c), on a replica with the shipped configuration: with Redis stopped, a read is answered
     * from PostgreSQL without waiting long on Redis (this needs the Redis command timeout of application.yaml; with
     * Lettuce's default of 60 s each request waited a minute until the circuit breaker opened).
     */
    @Test
    @Order(2)
    void readsOnAReplicaWithTheShippedConfigurationDoNotWaitOnAStoppedRedis() throws Exception {
        Api other = survivor.api();
        assertThat(other.get("/api/v1/me/effective-state", admin.token()).status()).isEqualTo(200);
        redis.down();

        HttpRequest request = HttpRequest.newBuilder(URI.create(other.baseUrl() + "/api/v1/me/effective-state"))
                .header("Authorization", "Bearer " + admin.token()).timeout(Duration.ofSeconds(10)).build();
        long started = System.nanoTime();
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newHttpClient()) {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException timedOut) {
            throw new AssertionError("a read with Redis stopped got no answer within 10 s (" + timedOut + ")");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(took).as("answered from PostgreSQL without waiting on Redis").isLessThan(Duration.ofSeconds(5));
    }

    private AtriumProcess.Builder replica() {
        return AtriumProcess.builder().database(database).redis(redis.url())
                .env("ATRIUM_CACHE_RELAY_INTERVAL", "1h");
    }

    private static TestUsers.Account signUp(Api api, String hint) {
        String email = TestUsers.uniqueEmail(hint);
        Api.Response response = api.post("/api/v1/auth/signup",
                Map.of("email", email, "name", hint, "password", TestUsers.PASSWORD), null);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        JsonNode body = response.json();
        return new TestUsers.Account(UUID.fromString(body.path("user").path("id").asString()), email,
                TestUsers.PASSWORD, body.path("token").asString());
    }
}
