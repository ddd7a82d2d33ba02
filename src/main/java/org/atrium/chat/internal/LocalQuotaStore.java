package org.atrium.chat.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.atrium.chat.QuotaLimits;
import org.jspecify.annotations.Nullable;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Quota counts in this process: the single-node store, and the fallback of {@link RedisQuotaStore} while Redis is
 * unreachable. A user's tokens for the day start, at the first check, from the {@link TokenSeed} (PostgreSQL plus this
 * replica's unflushed usage) and are seeded again {@code reseedAfter} later, so that the fallback catches up with
 * what other replicas flush. Bounded: at most {@value #MAX_USERS} users of each count are kept; an evicted count is seeded again.
 */
final class LocalQuotaStore implements QuotaStore {

    static final int MAX_USERS = 100_000;
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;

    /** A user's calls in one minute window. */
    private record Window(long minute, long calls) {
    }

    private record DayKey(UUID userId, long day) {
    }

    private final Clock clock;
    private final TokenSeed seed;
    private final Cache<UUID, Window> windows;
    private final Cache<DayKey, AtomicLong> days;

    LocalQuotaStore(Clock clock, TokenSeed seed, Duration reseedAfter) {
        this.clock = clock;
        this.seed = seed;
        this.windows = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(2)).maximumSize(MAX_USERS).build();
        this.days = Caffeine.newBuilder().expireAfterWrite(reseedAfter).maximumSize(MAX_USERS).build();
    }

    @Override
    public @Nullable Refusal acquire(UUID userId, QuotaLimits limits) {
        long now = clock.millis();
        if (limits.tokensPerDay() != null && tokens(userId, now / DAY).get() >= limits.tokensPerDay()) {
            return new Refusal(Quota.TOKENS_PER_DAY, limits.tokensPerDay(),
                    Duration.ofMillis((now / DAY + 1) * DAY - now));
        }
        Long perMinute = limits.requestsPerMinute();
        if (perMinute == null) {
            return null;
        }
        long minute = now / MINUTE;
        boolean[] admitted = {false};
        windows.asMap().compute(userId, (id, window) -> {
            long calls = window == null || window.minute() != minute ? 0 : window.calls();
            if (calls >= perMinute) {
                return window;
            }
            admitted[0] = true;
            return new Window(minute, calls + 1);
        });
        return admitted[0] ? null
                : new Refusal(Quota.REQUESTS_PER_MINUTE, perMinute, Duration.ofMillis((minute + 1) * MINUTE - now));
    }

    /**
     * Adds to the day's count only when it exists: a missing one is seeded at the next check from PostgreSQL and the
     * buffer, which hold these tokens by then; so recording never reads the database.
     */
    @Override
    public void addTokens(UUID userId, long tokens) {
        AtomicLong count = days.getIfPresent(new DayKey(userId, clock.millis() / DAY));
        if (count != null) {
            count.addAndGet(tokens);
        }
    }

    private AtomicLong tokens(UUID userId, long day) {
        return days.get(new DayKey(userId, day),
                key -> new AtomicLong(seed.tokens(userId, Instant.ofEpochMilli(day * DAY))));
    }
}
