package org.atrium.cache;

import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Atrium refuses a Redis that could bring old versions back. */
class RedisRequirementsTest {

    @Test
    void aRedisThatPersistsToDiskIsRefusedNamingWhatToChange() throws IOException {
        assertThatThrownBy(() -> checkAgainst("appendonly yes", "save \"\""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("appendonly=yes").hasMessageContaining("--save \"\" --appendonly no");
        assertThatThrownBy(() -> checkAgainst("appendonly no", "save 900 1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("save='900 1'");
    }

    @Test
    void aRedisThatMayEvictVersionKeysIsRefused() {
        assertThatThrownBy(() -> checkAgainst("maxmemory-policy allkeys-lru", "save \"\""))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxmemory-policy=allkeys-lru");
    }

    @Test
    void aRedisWithoutPersistenceAndWithVolatileEvictionIsAccepted() {
        assertThatCode(() -> checkAgainst("maxmemory-policy volatile-lru", "save \"\"")).doesNotThrowAnyException();
    }

    @Test
    void aRedisThatNeverAnswersIsAskedAgainThenRefusedNamingTheTimeout() throws IOException {
        try (RedisOutageProcessTest.MuteServer mute = new RedisOutageProcessTest.MuteServer()) {
            LettuceConnectionFactory connections = connectionsTo(mute.port());
            try {
                assertThatThrownBy(() -> RedisRequirements.check(new StringRedisTemplate(connections),
                        Duration.ofSeconds(2)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("did not answer").hasMessageContaining("within 2 s")
                        .hasMessageContaining("ATRIUM_CACHE_REDIS_STARTUP_TIMEOUT")
                        .hasMessageNotContaining("did not answer 1 attempts");
            } finally {
                connections.destroy();
            }
        }
    }

    @Test
    void aRedisThatAnswersOnlyAfterARetryIsChecked() throws Exception {
        int port = TestInfrastructure.freePort();
        RedisServer late = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
                .setting("appendonly no").build();
        LettuceConnectionFactory connections = connectionsTo(port);
        Thread starter = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1500);
                late.start();
            } catch (Exception failure) {
                throw new IllegalStateException(failure);
            }
        });
        try {
            assertThatCode(() -> RedisRequirements.check(new StringRedisTemplate(connections),
                    Duration.ofSeconds(30))).doesNotThrowAnyException();
            starter.join();
        } finally {
            connections.destroy();
            late.stop();
        }
    }

    private static LettuceConnectionFactory connectionsTo(int port) {
        LettuceConnectionFactory connections = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", port), LettuceClientConfiguration.builder()
                .commandTimeout(Duration.ofMillis(500)).build());
        connections.afterPropertiesSet();
        return connections;
    }

    private static void checkAgainst(String... settings) throws IOException {
        int port = TestInfrastructure.freePort();
        var builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("dir " + System.getProperty(
                "java.io.tmpdir"));
        for (String setting : settings) {
            builder.setting(setting);
        }
        RedisServer server = builder.build();
        server.start();
        LettuceConnectionFactory connections = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", port));
        connections.afterPropertiesSet();
        try {
            RedisRequirements.check(new StringRedisTemplate(connections), Duration.ofSeconds(5));
        } finally {
            connections.destroy();
            server.stop();
        }
    }
}
