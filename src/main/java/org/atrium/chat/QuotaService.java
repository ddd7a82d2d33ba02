package org.atrium.chat;

import org.atrium.settings.EffectiveState;

import java.util.UUID;

/**
 * Enforces {@code quotas.requestsPerMinute} and {@code quotas.tokensPerDay} across every replica: counts in Redis in
 * cluster mode, in this process on a single node. Call {@link #acquire(EffectiveState)} before each call to a model
 * (a generation, a task-model call made for the user); the tokens are counted by {@link UsageRecorder#record} when the
 * call ends.
 *
 * <ul>
 *   <li><b>Requests per minute</b>: a fixed window per UTC minute (Redis's clock, so replicas agree); a refused call
 *   is not counted. {@code Retry-After} is the time until the minute ends.</li>
 *   <li><b>Tokens per day</b>: a counter per UTC day, raised when usage is recorded and checked before a call, so a
 *   call that starts under the limit may finish over it (by at most that one call's tokens). {@code Retry-After} is
 *   the time until midnight UTC. A missing counter (a new day, a flushed or restarted Redis) is seeded from the usage
 *   already in PostgreSQL plus this replica's unflushed buffer.</li>
 * </ul>
 *
 * <p>Redis unreachable: fails open to this replica's own counts, seeded from PostgreSQL, rather than refusing every
 * call (a Redis outage must not become a chat outage, and refusing would be wrong for every user under their quota).
 * The bound: during the outage each replica allows up to {@code requestsPerMinute} per user by itself, and the
 * tokens-per-day check misses what other replicas have not yet flushed (one flush interval each).
 */
public interface QuotaService {

    /**
     * Admits one call for the caller, or refuses it.
     *
     * @param state the caller's effective state (their quotas and id)
     * @throws org.atrium.platform.AtriumException {@code quota_exceeded} (429, with {@code Retry-After})
     */
    default void acquire(EffectiveState state) {
        acquire(state.caller().userId(), QuotaLimits.of(state));
    }

    /**
     * Admits one call for a user under the given limits, or refuses it.
     *
     * @param userId the user
     * @param limits their quotas
     * @throws org.atrium.platform.AtriumException {@code quota_exceeded} (429, with {@code Retry-After})
     */
    void acquire(UUID userId, QuotaLimits limits);

    /**
     * Adds tokens to the user's count for today. {@link UsageRecorder#record} calls this; other callers need not.
     *
     * @param userId the user
     * @param tokens input and output tokens
     */
    void addTokens(UUID userId, long tokens);
}
