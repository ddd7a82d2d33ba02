package org.atrium.cache;

import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Race (f) of docs/consistency.md: transactions that call {@link Invalidation#changed} and then roll back. Reads
 * keep returning the committed value, and the scope becomes cacheable again.
 */
class RolledBackWriteTest extends ProtocolRaceTestBase {

    /** Rolled back before the commit was attempted: nothing was raised, the cached value stays usable. */
    @Test
    void failureInsideTheTransactionRaisesNothing() {
        TestUsers.Account user = users.user();
        Scope scope = Scope.user(user.id());
        assertThat(role(user.token())).isEqualTo("user");
        long databaseVersion = databaseVersion(scope);
        String redisVersion = redisVersion(scope);

        assertThatThrownBy(() -> new TransactionTemplate(transactions).executeWithoutResult(status -> {
            jdbc.sql("update users set role = 'admin' where id = :id").param("id", user.id()).update();
            invalidation.changed(scope);
            throw new IllegalStateException("the write fails after recording its scope");
        })).hasMessageContaining("the write fails");

        assertThat(databaseVersion(scope)).isEqualTo(databaseVersion);
        assertThat(redisVersion(scope)).isEqualTo(redisVersion);
        double hits = hits();
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(hits()).as("both reads were cache hits").isEqualTo(hits + 2);
    }

    /**
     * Rolled back after the raise (W3): a later step of the commit fails (here another synchronisation's
     * {@code beforeCommit}; in production a deferred constraint, a serialisation failure or a lost connection). Redis
     * is then ahead of PostgreSQL: the committed value must still be served (never the rolled-back one), and the
     * first reader repairs PostgreSQL's version so that the scope is cached again.
     */
    @Test
    void failureAfterThePreCommitRaiseIsRepairedByTheNextReader() {
        TestUsers.Account user = users.user();
        Scope scope = Scope.user(user.id());
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(role(user.token())).isEqualTo("user");
        long committed = databaseVersion(scope);

        assertThatThrownBy(() -> new TransactionTemplate(transactions).executeWithoutResult(status -> {
            jdbc.sql("update users set role = 'admin' where id = :id").param("id", user.id()).update();
            invalidation.changed(scope);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    throw new IllegalStateException("the commit fails after the raise");
                }
            });
        })).hasMessageContaining("the commit fails");

        assertThat(probe.reached()).as("W3 ran before the failure")
                .anyMatch(step -> step.point() == ProtocolProbe.Point.WRITER_BEFORE_COMMIT
                        && step.detail().contains(scope.key()));
        assertThat(databaseVersion(scope)).as("rolled back").isEqualTo(committed);
        long ahead = Long.parseLong(redisVersion(scope));
        assertThat(ahead).as("Redis is ahead of PostgreSQL").isGreaterThan(committed);

        assertThat(role(user.token())).as("the committed role, never the rolled-back one").isEqualTo("user");
        assertThat(databaseVersion(scope)).as("the reader repaired the version").isEqualTo(ahead);
        assertThat(role(user.token())).isEqualTo("user");
        double hits = hits();
        assertThat(role(user.token())).isEqualTo("user");
        assertThat(api.get("/api/v1/users", user.token()).status()).isEqualTo(403);
        assertThat(hits()).as("cacheable again").isEqualTo(hits + 2);
    }
}
