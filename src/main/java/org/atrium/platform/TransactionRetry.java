package org.atrium.platform;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a unit of work in its own read-write database transaction and runs it again, in a new transaction, when
 * PostgreSQL aborted it for a transient conflict: a deadlock ({@code 40P01}), a serialization failure
 * ({@code 40001}) or a lock it could not take ({@code 55P03}). The facades call it at their transaction boundary, so
 * one mechanism decides what is retried everywhere.
 *
 * <p>At most {@value #MAX_ATTEMPTS} attempts, {@code 20 ms} then {@code 40 ms} apart with ±50 % jitter (so the
 * transactions that collided do not collide again). When the last attempt fails too, the caller gets
 * {@code 409 conflict}: nothing was changed and the request may be sent again. Called inside a transaction that is
 * already running, the work joins it and is not retried here: only whoever began the transaction can start it over.
 */
@Component
public final class TransactionRetry {

    /** How many times one unit of work is tried at most. */
    public static final int MAX_ATTEMPTS = 3;
    /** The problem code of a transient conflict, retried or not. */
    public static final String CONFLICT_CODE = "conflict";

    private static final Logger log = LoggerFactory.getLogger(TransactionRetry.class);
    private static final Set<String> TRANSIENT_STATES = Set.of("40P01", "40001", "55P03");

    private final TransactionTemplate transactions;
    private final RetryConfig config;

    TransactionRetry(PlatformTransactionManager transactions) {
        this.transactions = new TransactionTemplate(transactions);
        this.config = RetryConfig.custom().maxAttempts(MAX_ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(20), 2.0, 0.5))
                .retryOnException(TransactionRetry::isTransient).build();
    }

    /**
     * Runs the work in a transaction, retried as described above.
     *
     * @param name what the work is, for the log ({@code upload}, {@code user.delete})
     * @param work the work; it must have no effect outside the transaction that a second run would repeat
     * @param <T>  its result
     * @return its result
     * @throws AtriumException {@code conflict} (409) when every attempt met a transient conflict, or whatever the work
     *                         throws
     */
    public <T> T execute(String name, Supplier<@Nullable T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return work.get();
        }
        return retried(name, () -> transactions.execute(status -> work.get()));
    }

    /**
     * Runs one statement that is its own transaction (no transaction around it: one round trip, the commit included),
     * retried as described above: for work on the latency path whose whole transaction is a database function.
     *
     * @param name      what the work is, for the log
     * @param statement the statement; it must have no effect outside the database that a second run would repeat
     * @param <T>       its result
     * @return its result
     * @throws AtriumException {@code conflict} (409) when every attempt met a transient conflict, or whatever the
     *                         statement throws
     */
    public <T> T statement(String name, Supplier<@Nullable T> statement) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return statement.get();
        }
        return retried(name, statement);
    }

    private <T> T retried(String name, Supplier<@Nullable T> work) {
        Retry retry = Retry.of(name, config);
        retry.getEventPublisher().onRetry(event -> LogEvents.info(log, "db.transaction.retried")
                .addKeyValue("work", name).addKeyValue("attempt", event.getNumberOfRetryAttempts())
                .addKeyValue("sql_state", sqlState(event.getLastThrowable())).log());
        try {
            return retry.executeSupplier(work);
        } catch (RuntimeException failure) {
            if (!isTransient(failure)) {
                throw failure;
            }
            LogEvents.warn(log, "db.transaction.conflict").addKeyValue("work", name)
                    .addKeyValue("sql_state", sqlState(failure)).log();
            throw new AtriumException(HttpStatus.CONFLICT, CONFLICT_CODE, "The request collided with concurrent "
                    + "changes to the same data " + MAX_ATTEMPTS + " times and changed nothing; send it again.");
        }
    }

    /**
     * Runs work without a result in a transaction, retried as described above.
     *
     * @param name what the work is, for the log
     * @param work the work
     * @throws AtriumException {@code conflict} (409) when every attempt met a transient conflict
     */
    public void run(String name, Runnable work) {
        execute(name, () -> {
            work.run();
            return null;
        });
    }

    /**
     * The one definition of a transient conflict, also used to answer one met outside any retry with
     * {@code 409 conflict}.
     *
     * @param failure what a unit of work threw
     * @return whether it is (or was caused by) a conflict that the same work may not meet a moment later
     */
    public static boolean isTransient(@Nullable Throwable failure) {
        return sqlState(failure) != null;
    }

    private static @Nullable String sqlState(@Nullable Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && TRANSIENT_STATES.contains(sql.getSQLState())) {
                return sql.getSQLState();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }
}
