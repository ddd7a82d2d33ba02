package org.atrium.cache;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.Cluster;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a load balancer and an operator see of Redis, with real replicas: a Redis outage leaves the replica ready
 * (it serves reads from PostgreSQL) and is reported apart; a Redis that never answers at startup is refused.
 */
class RedisOutageProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aStoppedRedisLeavesTheReplicaReadyAndIsReportedByItsOwnHealthGroupAndLogEvents() {
        try (Cluster cluster = Cluster.start("redisdown", 1, Map.of("ATRIUM_CACHE_REDIS_PROBE_INTERVAL", "500ms"))) {
            Api api = cluster.api(0);
            Api.Response signup = api.post("/api/v1/auth/signup", Map.of("email", TestUsers.uniqueEmail("redisdown"),
                    "name", "Admin", "password", TestUsers.PASSWORD), null);
            assertThat(signup.status()).as(signup.text()).isEqualTo(201);
            String token = signup.json().path("token").asString();
            assertThat(api.get("/actuator/health/cache", null).status()).isEqualTo(200);

            cluster.stopRedis();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(cluster.replica(0).output()).contains("cache.redis.unavailable");
                assertThat(api.get("/actuator/health/cache", null).status()).isEqualTo(503);
            });
            for (int i = 0; i < 3; i++) {
                Api.Response readiness = api.get("/actuator/health/readiness", null);
                assertThat(readiness.status()).as("readiness %d with Redis stopped: %s", i, readiness.text())
                        .isEqualTo(200);
                Api.Response state = api.get("/api/v1/me/effective-state", token);
                assertThat(state.status()).as(state.text()).isEqualTo(200);
                assertThat(state.json().path("role").asString()).isEqualTo("admin");
            }

            cluster.startRedis();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(cluster.replica(0).output()).contains("cache.redis.available");
                assertThat(api.get("/actuator/health/cache", null).status()).isEqualTo(200);
            });
            assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(200);
        }
    }

    @Test
    void aRedisThatNeverAnswersAtStartupIsRefusedWithAReason() throws IOException {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("redismute");
        try (MuteServer mute = new MuteServer();
             AtriumProcess replica = AtriumProcess.builder().database(database)
                     .redis("redis://127.0.0.1:" + mute.port())
                     .env("ATRIUM_CACHE_REDIS_STARTUP_TIMEOUT", "3s").start()) {
            assertThat(replica.awaitExit(TIMEOUT)).as("it must exit, not serve:\n" + replica.output()).isNotZero();
            assertThat(replica.output()).contains("did not answer").contains("CONFIG GET")
                    .contains("ATRIUM_CACHE_REDIS_STARTUP_TIMEOUT").contains("cache.redis.requirements_retry")
                    .contains("APPLICATION FAILED TO START").doesNotContain("Jetty started")
                    .as("reported, not a stack trace").doesNotContain("Application run failed");
        }
    }

    /** A TCP server that accepts connections and never answers a byte: a Redis hung under load. */
    static final class MuteServer implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> accepted = new ArrayList<>();

        MuteServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        synchronized (accepted) {
                            accepted.add(client);
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            try {
                socket.close();
                synchronized (accepted) {
                    for (Socket client : accepted) {
                        client.close();
                    }
                }
            } catch (IOException failure) {
                throw new UncheckedIOException(failure);
            }
        }
    }
}
