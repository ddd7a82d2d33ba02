package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The periodic deletion of expired credentials: sessions once expired, API keys 30 days after they expired (listed to
 * their owner as expired until then); live ones stay and keep working.
 */
class ExpiredCredentialsTaskTest extends IntegrationTest {

    @Autowired
    private CredentialStore credentials;

    private UUID sessionOf(TestUsers.Account account) {
        return jdbc.sql("select id from sessions where user_id = :u order by created_at desc limit 1")
                .param("u", account.id()).query(UUID.class).single();
    }

    private UUID key(TestUsers.Account owner, String name) {
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", name), owner.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return UUID.fromString(created.json().path("apiKey").path("id").asString());
    }

    private void expire(String table, UUID id, String ago) {
        jdbc.sql("update " + table + " set expires_at = now() - cast(:ago as interval) where id = :id")
                .param("ago", ago).param("id", id).update();
    }

    private boolean exists(String table, UUID id) {
        return jdbc.sql("select count(*) from " + table + " where id = :id").param("id", id).query(Long.class)
                .single() > 0;
    }

    @Test
    void expiredSessionsGoAtOnceAndExpiredKeysAfterTheirRetention() {
        TestUsers.Account expiredSession = users.user();
        TestUsers.Account live = users.user();
        UUID expired = sessionOf(expiredSession);
        expire("sessions", expired, "1 second");
        UUID longExpiredKey = key(live, "old script");
        UUID recentlyExpiredKey = key(live, "last month's script");
        UUID liveKey = key(live, "today's script");
        expire("api_keys", longExpiredKey, "31 days");
        expire("api_keys", recentlyExpiredKey, "29 days");

        int sessions = credentials.deleteExpiredSessions(ExpiredCredentialsTask.BATCH);
        int keys = credentials.deleteExpiredApiKeys(ExpiredCredentialsTask.EXPIRED_KEY_RETENTION,
                ExpiredCredentialsTask.BATCH);

        assertThat(sessions).isGreaterThanOrEqualTo(1);
        assertThat(keys).isGreaterThanOrEqualTo(1);
        assertThat(exists("sessions", expired)).isFalse();
        assertThat(exists("sessions", sessionOf(live))).isTrue();
        assertThat(exists("api_keys", longExpiredKey)).isFalse();
        assertThat(exists("api_keys", recentlyExpiredKey)).as("listed as expired for 30 days").isTrue();
        assertThat(exists("api_keys", liveKey)).isTrue();
        assertThat(api.get("/api/v1/auth/me", live.token()).status()).as("a live session still works").isEqualTo(200);
    }

    @Test
    void aBacklogIsDeletedInBatchesToTheEnd() {
        TestUsers.Account owner = users.user();
        for (int i = 0; i < 5; i++) {
            expire("api_keys", key(owner, "key " + i), "40 days");
        }

        int deleted = credentials.deleteExpiredApiKeys(ExpiredCredentialsTask.EXPIRED_KEY_RETENTION, 2);

        assertThat(deleted).isGreaterThanOrEqualTo(5);
        assertThat(jdbc.sql("select count(*) from api_keys where user_id = :u").param("u", owner.id())
                .query(Long.class).single()).isZero();
    }

    @Test
    void theTaskIsOneOfTheClustersPeriodicTasks() {
        assertThat(jdbc.sql("select count(*) from scheduled_tasks where task_name = 'accounts-expired-credentials'")
                .query(Long.class).single()).isEqualTo(1);
    }
}
