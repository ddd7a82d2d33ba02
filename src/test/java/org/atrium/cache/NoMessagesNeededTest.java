package org.atrium.cache;

import io.lettuce.core.RedisCommandExecutionException;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Race (e) of docs/consistency.md, lost pub/sub messages: the protocol sends none. The private Redis every test of
 * this package runs against denies publishing and subscribing to every client (an ACL), so all of them pass with no
 * message delivery at all. And deleting the version keys (what a lost or late message could amount to, at worst)
 * only makes values miss: a missing version is never taken as unchanged.
 */
class NoMessagesNeededTest extends ProtocolRaceTestBase {

    @Test
    void noClientCanPublishOrSubscribeOnTheRedisTheseTestsUse() {
        assertThatThrownBy(() -> REDIS.run(commands -> commands.publish("atrium", "invalidate")))
                .isInstanceOf(RedisCommandExecutionException.class).hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> REDIS.run(commands -> commands.pubsubChannels()))
                .isInstanceOf(RedisCommandExecutionException.class).hasMessageContaining("NOPERM");
    }

    @Test
    void deletingEveryVersionKeyNeverServesAnOldValue() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        String entry = DATABASE.redisKeyPrefix() + "e:" + entryKey(user.token());
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(role(user.token())).isEqualTo("user");

        changeRole(admin, user, "admin");
        assertThat(REDIS.deleteMatching(DATABASE.redisKeyPrefix() + "v:*")).isPositive();
        assertThat(REDIS.get(entry)).as("the old entry is still in Redis").contains("\"role\":\"user\"");
        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(role(user.token())).isEqualTo("admin");

        REDIS.deleteMatching(DATABASE.redisKeyPrefix() + "v:*");
        double misses = lookups("miss");
        assertThat(role(user.token())).as("with no versions, nothing validates: read again").isEqualTo("admin");
        assertThat(lookups("miss")).isEqualTo(misses + 1);

        changeRole(admin, user, "user");
        REDIS.deleteMatching(DATABASE.redisKeyPrefix() + "v:*");
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(api.get("/api/v1/users", user.token()).status()).isEqualTo(403);
    }
}
