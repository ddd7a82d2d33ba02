package org.atrium.chat;

/**
 * Records token usage without touching the database on the caller's path. Call {@link #record} once per model call,
 * when it ends (complete, stopped or failed), from the thread that ran it.
 *
 * <p>What it does: adds the tokens to the caller's tokens-per-day count at once (Redis in cluster mode, this process
 * on a single node; see {@link QuotaService}), and adds the call to an in-memory buffer aggregated per hour, user,
 * charged group, model and connection, which a background thread upserts into PostgreSQL every
 * {@code atrium.usage.flush-interval} or as soon as it holds {@code atrium.usage.flush-size} keys, and once more on
 * graceful shutdown. A replica that dies loses its unflushed buffer: at most one flush interval of its usage (the
 * quota counts in Redis are not lost). When the buffer holds {@code atrium.usage.max-buffered} keys (the database is
 * down or slow), calls on new keys are dropped and counted in the metric {@code atrium.usage.dropped}; calls on keys
 * already buffered are always added.
 */
public interface UsageRecorder {

    /**
     * Records one call. Never blocks on the database; may make one Redis round trip (the quota count).
     *
     * @param event the call
     */
    void record(UsageEvent event);
}
