package org.atrium.chat.internal;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.chat.QuotaLimits;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Quota counts in Redis, shared by every replica: {@code <prefix>quota:rpm:<user>:<minute>} counts a minute's calls
 * (expires after the minute), {@code <prefix>quota:tokens:<user>:<day>} a UTC day's tokens (expires after two days).
 * Windows are computed from Redis's clock inside the scripts, so replicas with skewed clocks still share one window;
 * each check-and-count is one script, so concurrent calls on several replicas cannot all slip past a limit. Keys are
 * computed in the scripts: like the cache, this needs a standalone Redis (or one primary).
 *
 * <p>A missing day count (a new day, or Redis flushed or restarted) is seeded from the {@link TokenSeed} with
 * {@code SET NX}, so the first replica to seed wins and the others add to it. Tokens recorded while the count is
 * missing are not added to Redis; they reach the seed through PostgreSQL once flushed.
 *
 * <p>Fails open to this replica's {@link LocalQuotaStore} while Redis is unreachable (an error, or the circuit breaker
 * open): see {@link org.atrium.chat.QuotaService} for why and the bound.
 */
final class RedisQuotaStore implements QuotaStore {

    private static final Logger log = LoggerFactory.getLogger(RedisQuotaStore.class);

    /**
     * ARGV prefix, user, tokens-per-day limit ('' none), requests-per-minute limit ('' none). Returns {0} admitted,
     * {1, ms} over tokens per day, {2, ms} over requests per minute (ms until the window ends), or {-2, day} when
     * the day's token count must be seeded first.
     */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> ACQUIRE = RedisScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local day = math.floor(now / 86400000)
            if ARGV[3] ~= '' then
              local used = redis.call('GET', ARGV[1] .. 'quota:tokens:' .. ARGV[2] .. ':' .. day)
              if not used then return {-2, day} end
              if tonumber(used) >= tonumber(ARGV[3]) then return {1, (day + 1) * 86400000 - now} end
            end
            if ARGV[4] ~= '' then
              local minute = math.floor(now / 60000)
              local key = ARGV[1] .. 'quota:rpm:' .. ARGV[2] .. ':' .. minute
              local calls = tonumber(redis.call('GET', key) or '0')
              if calls >= tonumber(ARGV[4]) then return {2, (minute + 1) * 60000 - now} end
              redis.call('INCR', key)
              redis.call('PEXPIRE', key, 61000)
            end
            return {0}
            """, List.class);

    /** ARGV prefix, user, day, seed. Sets the day's count unless another replica already did. */
    private static final RedisScript<Long> SEED = RedisScript.of("""
            redis.call('SET', ARGV[1] .. 'quota:tokens:' .. ARGV[2] .. ':' .. ARGV[3], ARGV[4], 'NX', 'PX', 172800000)
            return 1
            """, Long.class);

    /** ARGV prefix, user, tokens. Adds to today's count when it exists (a missing one is seeded on the next check). */
    private static final RedisScript<Long> ADD = RedisScript.of("""
            local t = redis.call('TIME')
            local day = math.floor((tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) / 86400000)
            local key = ARGV[1] .. 'quota:tokens:' .. ARGV[2] .. ':' .. day
            if redis.call('EXISTS', key) == 1 then redis.call('INCRBY', key, ARGV[3]) end
            return 1
            """, Long.class);

    private static final long DAY = 86_400_000;

    private final StringRedisTemplate redis;
    private final CircuitBreaker breaker;
    private final String prefix;
    private final TokenSeed seed;
    private final LocalQuotaStore fallback;

    RedisQuotaStore(StringRedisTemplate redis, CircuitBreaker breaker, String keyPrefix, TokenSeed seed,
                    LocalQuotaStore fallback) {
        this.redis = redis;
        this.breaker = breaker;
        this.prefix = keyPrefix;
        this.seed = seed;
        this.fallback = fallback;
    }

    @Override
    public @Nullable Refusal acquire(UUID userId, QuotaLimits limits) {
        String user = userId.toString();
        String tokensLimit = limits.tokensPerDay() == null ? "" : Long.toString(limits.tokensPerDay());
        String callsLimit = limits.requestsPerMinute() == null ? "" : Long.toString(limits.requestsPerMinute());
        try {
            for (int attempt = 0; ; attempt++) {
                List<?> answer = breaker.executeSupplier(
                        () -> redis.execute(ACQUIRE, List.of(), prefix, user, tokensLimit, callsLimit));
                long outcome = ((Number) answer.getFirst()).longValue();
                if (outcome == 0) {
                    return null;
                }
                long value = ((Number) answer.get(1)).longValue();
                if (outcome == 1) {
                    return new Refusal(Quota.TOKENS_PER_DAY, limits.tokensPerDay(), Duration.ofMillis(value));
                }
                if (outcome == 2) {
                    return new Refusal(Quota.REQUESTS_PER_MINUTE, limits.requestsPerMinute(),
                            Duration.ofMillis(value));
                }
                if (attempt > 0) {
                    // Seeded a moment ago and missing again (evicted or flushed in between): count from zero now.
                    throw new IllegalStateException("the day's token count vanished right after it was seeded");
                }
                long used = seed.tokens(userId, Instant.ofEpochMilli(value * DAY));
                breaker.executeSupplier(() -> redis.execute(SEED, List.of(), prefix, user, Long.toString(value),
                        Long.toString(used)));
            }
        } catch (RuntimeException unavailable) {
            fellBack("acquire", unavailable);
            return fallback.acquire(userId, limits);
        }
    }

    @Override
    public void addTokens(UUID userId, long tokens) {
        if (tokens == 0) {
            return;
        }
        try {
            breaker.executeSupplier(() -> redis.execute(ADD, List.of(), prefix, userId.toString(),
                    Long.toString(tokens)));
        } catch (RuntimeException unavailable) {
            fellBack("add_tokens", unavailable);
            fallback.addTokens(userId, tokens);
        }
    }

    /** Logs real failures; while the breaker is open calls are skipped silently (its transitions are logged). */
    private static void fellBack(String operation, RuntimeException failure) {
        if (failure instanceof CallNotPermittedException) {
            return;
        }
        LogEvents.warn(log, "quota.redis.fallback").addKeyValue("operation", operation)
                .addKeyValue("reason", failure.getClass().getSimpleName()).log();
    }
}
