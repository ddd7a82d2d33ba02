package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real PostgreSQL deadlocks and lock timeouts met by work run through {@link TransactionRetry}. */
class TransactionRetryTest extends IntegrationTest {

    @Autowired
    private TransactionRetry retry;

    @Autowired
    private DataSource dataSource;

    @Test
    void workThatLosesADeadlockIsRunAgainInANewTransactionAndSucceeds() throws Exception {
        UUID first = group("first");
        UUID second = group("second");
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch firstLocked = new CountDownLatch(1);
        CountDownLatch otherLocked = new CountDownLatch(1);

        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            CompletableFuture<String> work = CompletableFuture.supplyAsync(() -> retry.execute("test.deadlock", () -> {
                attempts.incrementAndGet();
                lock(first);
                firstLocked.countDown();
                await(otherLocked);
                lock(second);
                return "done";
            }));
            try (Statement statement = other.createStatement()) {
                // The other transaction never detects the deadlock first, so the work is the one PostgreSQL aborts.
                statement.execute("set local deadlock_timeout = '60s'");
                statement.execute("select 1 from groups where id = '" + second + "' for update");
                assertThat(firstLocked.await(30, TimeUnit.SECONDS)).isTrue();
                otherLocked.countDown();
                statement.execute("select 1 from groups where id = '" + first + "' for update");
            }
            other.commit();
            assertThat(work.get(60, TimeUnit.SECONDS)).isEqualTo("done");
        }
        assertThat(attempts.get()).as("the deadlocked attempt and the one after it").isEqualTo(2);
    }

    @Test
    void aConflictThatOutlastsEveryAttemptAnswers409ConflictWithNothingChanged() throws Exception {
        UUID held = group("held");
        AtomicInteger attempts = new AtomicInteger();
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("select 1 from groups where id = '" + held + "' for update");
            }
            assertThatThrownBy(() -> retry.run("test.lock-timeout", () -> {
                attempts.incrementAndGet();
                jdbc.sql("set local lock_timeout = '50ms'").update();
                lock(held);
            })).isInstanceOfSatisfying(AtriumException.class, failure -> {
                assertThat(failure.status()).isEqualTo(HttpStatus.CONFLICT);
                assertThat(failure.code()).isEqualTo("conflict");
            });
            holder.rollback();
        }
        assertThat(attempts.get()).isEqualTo(TransactionRetry.MAX_ATTEMPTS);
    }

    @Test
    void aStatementIsItsOwnTransactionAndIsRunAgainAfterALockTimeout() throws Exception {
        long key = ThreadLocalRandom.current().nextLong();
        AtomicInteger attempts = new AtomicInteger();
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("select pg_advisory_xact_lock(" + key + ")");
            }
            boolean locked = retry.statement("test.statement", () -> {
                if (attempts.incrementAndGet() == 2) {
                    rollback(holder); // the second attempt finds the lock free
                }
                return jdbc.sql("select set_config('lock_timeout', '100ms', true), pg_advisory_xact_lock(:key)")
                        .param("key", key).query((rs, n) -> true).single();
            });
            assertThat(locked).isTrue();
        }
        assertThat(attempts.get()).as("the attempt that timed out and the one after it").isEqualTo(2);
        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement();
             var free = statement.executeQuery("select pg_try_advisory_xact_lock(" + key + ")")) {
            assertThat(free.next()).isTrue();
            assertThat(free.getBoolean(1)).as("the statement's lock ended with it: no transaction around it")
                    .isTrue();
        }
    }

    @Test
    void aFailureThatIsNotAConflictIsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("test.not-found", () -> {
            attempts.incrementAndGet();
            throw AtriumException.notFound("thing_not_found", "No such thing.");
        })).isInstanceOfSatisfying(AtriumException.class, failure ->
                assertThat(failure.code()).isEqualTo("thing_not_found"));
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void aConflictMetOutsideAnyRetryAnswers409ConflictRatherThan500() throws Exception {
        long key = ThreadLocalRandom.current().nextLong();
        String token = users.user().token();
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("select pg_advisory_xact_lock(" + key + ")");
            }
            Api.Response response = api.get("/api/v1/test-only/fail/advisory-lock?key=" + key, token);

            ProblemAssertions.assertProblem("lock timeout without retry", response, 409, "conflict");
            holder.rollback();
        }
    }

    private UUID group(String hint) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into groups (id, name) values (:id, :name)").param("id", id)
                .param("name", "retry-" + hint + "-" + id).update();
        return id;
    }

    private void lock(UUID group) {
        jdbc.sql("select id from groups where id = :g for update").param("g", group).query(UUID.class).single();
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (java.sql.SQLException failed) {
            throw new IllegalStateException(failed);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
