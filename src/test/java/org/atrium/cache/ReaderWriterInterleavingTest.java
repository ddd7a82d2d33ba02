package org.atrium.cache;

import org.atrium.testing.Api;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Races (a) and (b) of docs/consistency.md, in one process: a reader held between its PostgreSQL read and its offer
 * while a write is acknowledged, and a writer held just before or just after its commit while others read.
 *
 * <p>What each mechanism is checked by (so that removing it makes a test here fail; the relay, which would repair
 * some of these within a second, runs only once an hour in this context):
 * <ul>
 *     <li>the offer's atomic version check (R4): {@link #readerHeldAfterItsDatabaseReadCannotCacheTheOldRole} (the
 *     offer is refused and nothing is stored);</li>
 *     <li>the raise before the commit (W3): {@link #writerHeldAfterItsCommitAlreadyMadeCachedValuesUnusable};</li>
 *     <li>the raise after the commit (W5): {@code RedisOutageTest#writerHeldBeforeItsCommitWhileRedisIsFlushed}.</li>
 * </ul>
 */
class ReaderWriterInterleavingTest extends ProtocolRaceTestBase {

    @Test
    void readerHeldAfterItsDatabaseReadCannotCacheTheOldRole() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        PausingProbe.Gate gate = probe.arm(ProtocolProbe.Point.READER_AFTER_DATABASE_READ,
                entryKey(user.token())::equals);

        CompletableFuture<Api.Response> reader = inBackground(() -> api.get("/api/v1/me/effective-state",
                user.token()));
        gate.awaitArrival(WAIT);
        double refused = refusedOffers();
        changeRole(admin, user, "admin");
        gate.release();

        Api.Response concurrent = await(reader);
        assertThat(concurrent.status()).isEqualTo(200);
        assertThat(concurrent.json().path("role").asString())
                .as("the held reader began before the write and read before its commit: the old role is its answer")
                .isEqualTo("user");
        assertThat(refusedOffers()).as("its offer was refused: a writer raised the version after its snapshot")
                .isGreaterThanOrEqualTo(refused + 1);
        assertThat(REDIS.get(DATABASE.redisKeyPrefix() + "e:" + entryKey(user.token())))
                .as("nothing was stored in Redis under the old stamp").isNull();

        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(api.get("/api/v1/users", user.token()).status()).as("admin-only endpoint").isEqualTo(200);
        assertThat(role(user.token())).as("a second read (now a cache hit)").isEqualTo("admin");
    }

    @Test
    void readerHeldAfterItsDatabaseReadCannotCacheTheOldGroupSetting() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "races");
        users.member(admin, group, user, "member");
        putGroupPrompt(admin, group, "before");
        PausingProbe.Gate gate = probe.arm(ProtocolProbe.Point.READER_AFTER_DATABASE_READ,
                entryKey(user.token())::equals);

        CompletableFuture<Api.Response> reader = inBackground(() -> api.get("/api/v1/me/effective-state",
                user.token()));
        gate.awaitArrival(WAIT);
        putGroupPrompt(admin, group, "after");
        gate.release();

        assertThat(await(reader).json().path("settings").path("systemPrompt").path("value").asString())
                .as("the held reader's own answer predates the write").isEqualTo("before");
        assertThat(setting(user.token(), "systemPrompt")).isEqualTo("\"after\"");
        assertThat(setting(user.token(), "systemPrompt")).isEqualTo("\"after\"");
    }

    /**
     * While the writer is held after its commit and before its second raise, its caller has no answer yet, so the
     * promise does not cover these reads. They get the new value anyway, because the raise before the commit (W3)
     * already made every cached value of the scope unusable. That is what makes a writer that dies right there (see
     * {@code HaltedWriterProcessTest}) harmless; without W3 these reads would be memory hits of the old role.
     */
    @Test
    void writerHeldAfterItsCommitAlreadyMadeCachedValuesUnusable() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        Scope scope = Scope.user(user.id());
        assertThat(role(user.token())).isEqualTo("user");
        double hits = hits();
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(hits()).as("the old state is cached (memory and Redis)").isGreaterThan(hits);

        PausingProbe.Gate gate = probe.arm(ProtocolProbe.Point.WRITER_AFTER_COMMIT,
                scopes -> scopes.contains(scope.key()));
        CompletableFuture<Api.Response> writer = inBackground(() -> api.patch("/api/v1/users/" + user.id(),
                Map.of("role", "admin"), admin.token()));
        gate.awaitArrival(WAIT);

        assertThat(writer).as("not acknowledged while held").isNotDone();
        assertThat(databaseRole(user)).as("committed").isEqualTo("admin");
        assertThat(redisVersion(scope)).as("W3 raised the committed version before the commit")
                .isEqualTo(Long.toString(databaseVersion(scope)));
        for (int i = 0; i < 3; i++) {
            assertThat(role(user.token())).as("read %d after the commit, before the acknowledgement", i)
                    .isEqualTo("admin");
        }

        gate.release();
        assertThat(await(writer).status()).isEqualTo(200);
        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(api.get("/api/v1/users", user.token()).status()).isEqualTo(200);
    }

    /**
     * Between the raise (W3) and the commit, readers still see the old role (the write is not committed) and cannot
     * cache it: Redis is ahead of their snapshot. Their repair attempt must not move the version of a live writer
     * (it cannot take the row lock). After the acknowledgement every read is new.
     */
    @Test
    void writerHeldBeforeItsCommitLeavesReadersOldAndUncached() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        Scope scope = Scope.user(user.id());
        assertThat(role(user.token())).isEqualTo("user");
        long committedVersion = databaseVersion(scope);
        String entry = DATABASE.redisKeyPrefix() + "e:" + entryKey(user.token());
        String cachedBefore = REDIS.get(entry);
        assertThat(cachedBefore).as("stamped with the committed version")
                .contains(scope.key() + "=" + committedVersion + "\n");

        PausingProbe.Gate gate = probe.arm(ProtocolProbe.Point.WRITER_BEFORE_COMMIT,
                scopes -> scopes.contains(scope.key()));
        CompletableFuture<Api.Response> writer = inBackground(() -> api.patch("/api/v1/users/" + user.id(),
                Map.of("role", "admin"), admin.token()));
        gate.awaitArrival(WAIT);

        assertThat(Long.parseLong(redisVersion(scope))).as("Redis is ahead of PostgreSQL")
                .isGreaterThan(committedVersion);
        double refused = refusedOffers();
        assertThat(role(user.token())).as("not committed yet").isEqualTo("user");
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(refusedOffers()).as("each read's offer is refused").isGreaterThanOrEqualTo(refused + 2);
        assertThat(REDIS.get(entry)).as("nothing new was stored").isEqualTo(cachedBefore);
        assertThat(databaseVersion(scope)).as("no reader moved the version of the live writer")
                .isEqualTo(committedVersion);

        gate.release();
        assertThat(await(writer).status()).isEqualTo(200);
        assertThat(role(user.token())).isEqualTo("admin");
        assertThat(databaseVersion(scope)).isEqualTo(Long.parseLong(redisVersion(scope)));
    }

    private String databaseRole(TestUsers.Account user) {
        return jdbc.sql("select role from users where id = :id").param("id", user.id()).query(String.class)
                .single();
    }

    private void putGroupPrompt(TestUsers.Account admin, UUID group, String prompt) {
        Api.Response response = api.put("/api/v1/groups/" + group + "/settings",
                Map.of("settings", Map.of("systemPrompt", prompt)), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }
}
