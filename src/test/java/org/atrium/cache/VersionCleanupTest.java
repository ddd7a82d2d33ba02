package org.atrium.cache;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Version rows of deleted users and groups are removed once old enough, and no other row ever is. */
class VersionCleanupTest extends IntegrationTest {

    @Autowired
    private VersionCleanup cleanup;

    @Test
    void oldVersionRowsOfDeletedUsersAndGroupsAreRemovedAndEveryOtherRowIsKept() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account deletedUser = users.user();
        UUID deletedGroup = users.group(admin, "cleanup-gone");
        UUID liveGroup = users.group(admin, "cleanup-live");
        TestUsers.Account liveUser = users.user();
        TestUsers.Account recentlyDeleted = users.user();
        for (String scope : new String[]{"i", "u:" + deletedUser.id(), "g:" + deletedGroup, "g:" + liveGroup,
                "u:" + liveUser.id(), "u:" + recentlyDeleted.id()}) {
            jdbc.sql("insert into cache_versions (scope, version) values (:s, nextval('cache_version_seq'))"
                    + " on conflict (scope) do nothing").param("s", scope).update();
        }
        assertThat(api.delete("/api/v1/users/" + deletedUser.id(), admin.token()).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/users/" + recentlyDeleted.id(), admin.token()).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/groups/" + deletedGroup, admin.token()).status()).isEqualTo(204);
        Duration older = cleanup.retention().plusHours(1);
        jdbc.sql("update cache_versions set updated_at = now() - make_interval(secs => :age) where scope = any(:s)")
                .param("age", (double) older.toSeconds())
                .param("s", new String[]{"u:" + deletedUser.id(), "g:" + deletedGroup, "g:" + liveGroup,
                        "u:" + liveUser.id(), "i"}).update();

        int removed = cleanup.removeDeleted();

        assertThat(removed).isGreaterThanOrEqualTo(2);
        assertThat(exists("u:" + deletedUser.id())).as("deleted user, old row").isFalse();
        assertThat(exists("g:" + deletedGroup)).as("deleted group, old row").isFalse();
        assertThat(exists("u:" + recentlyDeleted.id())).as("deleted user, row raised recently").isTrue();
        assertThat(exists("u:" + liveUser.id())).as("user that exists").isTrue();
        assertThat(exists("g:" + liveGroup)).as("group that exists").isTrue();
        assertThat(exists("i")).as("the instance scope").isTrue();
    }

    private boolean exists(String scope) {
        return jdbc.sql("select count(*) from cache_versions where scope = :s").param("s", scope)
                .query(Long.class).single() == 1;
    }
}
