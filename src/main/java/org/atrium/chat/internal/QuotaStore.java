package org.atrium.chat.internal;

import org.atrium.chat.QuotaLimits;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Where quota counts live: Redis in cluster mode, this process on a single node (and while Redis is unreachable). */
interface QuotaStore {

    /** Which quota refused a call, and for how long. */
    record Refusal(Quota quota, long limit, Duration retryAfter) {
    }

    /** The quotas. */
    enum Quota {
        TOKENS_PER_DAY("quotas.tokensPerDay"),
        REQUESTS_PER_MINUTE("quotas.requestsPerMinute");

        final String setting;

        Quota(String setting) {
            this.setting = setting;
        }
    }

    /**
     * Admits a call (counting it against the requests-per-minute window) unless a quota is used up.
     *
     * @return {@code null} when admitted
     */
    @Nullable Refusal acquire(UUID userId, QuotaLimits limits);

    /** Adds tokens to the user's count for the current UTC day. */
    void addTokens(UUID userId, long tokens);

    /** The tokens a user has used since the start of their quota day, as far as PostgreSQL and this replica know. */
    @FunctionalInterface
    interface TokenSeed {
        long tokens(UUID userId, Instant dayStart);
    }
}
