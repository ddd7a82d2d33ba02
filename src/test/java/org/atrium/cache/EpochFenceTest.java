package org.atrium.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The epoch fence on raises computed from PostgreSQL reads (reseed and relay), against a real Redis: a read that
 * began before a flush must not re-create a version key the flush removed, because a write acknowledged before the
 * flush may have raised that key above what the read saw.
 */
class EpochFenceTest {

    private LettuceConnectionFactory connections;
    private StringRedisTemplate redis;
    private RedisSharedStore store;
    private String prefix;

    @BeforeEach
    void connect() {
        URI url = URI.create(TestInfrastructure.redisUrl());
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(url.getHost(), url.getPort()));
        connections.afterPropertiesSet();
        redis = new StringRedisTemplate(connections);
        prefix = "atrium-test:epoch-" + UUID.randomUUID() + ":";
        store = new RedisSharedStore(redis, CircuitBreaker.ofDefaults("epoch-test"), prefix, Duration.ofMinutes(5));
    }

    @AfterEach
    void cleanUp() {
        Set<String> keys = redis.keys(prefix + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
        connections.destroy();
    }

    @Test
    void aReadThatBeganBeforeTheVersionsWereLostDoesNotRecreateThem() {
        String scope = "u:" + UUID.randomUUID();
        String epoch = store.epoch();
        // The reseed or relay has read version 3 from PostgreSQL; meanwhile a writer commits 5, raises, is acknowledged.
        store.raise(Map.of(scope, 5L));
        // Redis loses everything (flush or restart without persistence).
        loseEverything();

        boolean applied = store.raiseRead(epoch, Map.of(scope, 3L));

        assertThat(applied).isFalse();
        assertThat(store.versions(Set.of(scope))).as("missing, so no entry validates and it is reseeded afresh")
                .isEmpty();
    }

    @Test
    void aReadUnderTheSameEpochRaisesButNeverLowers() {
        String scope = "g:" + UUID.randomUUID();
        String epoch = store.epoch();
        assertThat(store.raiseRead(epoch, Map.of(scope, 7L))).isTrue();
        assertThat(store.raiseRead(epoch, Map.of(scope, 4L))).isTrue();

        assertThat(store.versions(Set.of(scope))).containsEntry(scope, 7L);
    }

    @Test
    void aNewEpochAfterTheLossAcceptsFreshReads() {
        String scope = "u:" + UUID.randomUUID();
        String before = store.epoch();
        loseEverything();
        String after = store.epoch();

        assertThat(after).isNotEqualTo(before);
        assertThat(store.raiseRead(after, Map.of(scope, 9L))).isTrue();
        assertThat(store.versions(Set.of(scope))).containsEntry(scope, 9L);
    }

    /** What FLUSHALL does to this installation's keys, without touching other test runs sharing the Redis. */
    private void loseEverything() {
        Set<String> keys = redis.keys(prefix + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
    }
}
