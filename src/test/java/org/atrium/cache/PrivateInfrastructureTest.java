package org.atrium.cache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The race tests' context really is what they assume: cluster mode, its own database, the private Redis (not the
 * Redis of the other tests), and the pausing probe in the protocol's path.
 */
class PrivateInfrastructureTest extends ProtocolRaceTestBase {

    @Autowired
    private Environment environment;

    @Test
    void contextRunsInClusterModeOnItsOwnDatabaseAndThePrivateRedis() {
        assertThat(environment.getProperty("atrium.mode")).isEqualTo("cluster");
        assertThat(shared).isInstanceOf(RedisSharedStore.class);
        assertThat(environment.getProperty("spring.data.redis.url")).isEqualTo(REDIS.url());
        assertThat(jdbc.sql("select current_database()").query(String.class).single()).isEqualTo(DATABASE.name());

        TestUsers.Account user = users.user();
        Scope scope = Scope.user(user.id());
        assertThat(role(user.token())).isEqualTo("user");

        assertThat(redisVersion(scope)).as("the version raised by the role change, in the private Redis")
                .isEqualTo(Long.toString(databaseVersion(scope)));
        assertThat(REDIS.keys(DATABASE.redisKeyPrefix() + "e:*"))
                .contains(DATABASE.redisKeyPrefix() + "e:" + entryKey(user.token()));
        assertThat(probe.reached()).as("the pausing probe is the one in the protocol's path")
                .anyMatch(step -> step.point() == ProtocolProbe.Point.READER_AFTER_DATABASE_READ
                        && step.detail().equals(entryKey(user.token())))
                .anyMatch(step -> step.point() == ProtocolProbe.Point.WRITER_BEFORE_COMMIT
                        && step.detail().contains(scope.key()));

        RedisClient other = RedisClient.create(TestInfrastructure.redisUrl());
        try (StatefulRedisConnection<String, String> connection = other.connect()) {
            List<String> leaked = connection.sync().keys(DATABASE.redisKeyPrefix() + "*");
            assertThat(leaked).as("nothing of this context in the shared test Redis").isEmpty();
        } finally {
            other.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
