package org.atrium.cache;

import org.atrium.testing.Api;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis layer as another replica meets it: an entry that this replica does not hold in memory (another replica
 * cached it, or this one evicted or restarted) is served from Redis while its stamp is current, and never after a
 * write. Emptying this replica's memory stands for "another replica".
 */
class SharedLayerTest extends ProtocolRaceTestBase {

    @Test
    void entryCachedElsewhereIsServedFromRedisWhileCurrent() {
        TestUsers.Account user = users.user();
        assertThat(role(user.token())).isEqualTo("user");
        cache.clearLocal();

        double sharedHits = lookups("shared_hit");
        Api.Response state = api.get("/api/v1/me/effective-state", user.token());
        assertThat(state.status()).as("a Redis hit: %s", state.text()).isEqualTo(200);
        assertThat(state.json().path("role").asString()).isEqualTo("user");
        assertThat(lookups("shared_hit")).isEqualTo(sharedHits + 1);

        double localHits = lookups("local_hit");
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(lookups("local_hit")).as("kept in memory from the Redis hit").isEqualTo(localHits + 1);
    }

    @Test
    void entryCachedElsewhereIsNeverServedAfterAWrite() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        assertThat(role(user.token())).isEqualTo("user");
        cache.clearLocal();

        changeRole(admin, user, "admin");
        cache.clearLocal();
        double sharedHits = lookups("shared_hit");
        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(lookups("shared_hit")).as("the old Redis entry was not served").isEqualTo(sharedHits);
        assertThat(api.get("/api/v1/users", user.token()).status()).isEqualTo(200);
    }
}
