package org.atrium.accounts;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import java.time.Duration;
import java.util.List;

/**
 * Attempt counts in Redis, shared by every replica: {@code <prefix>signin:<key>} counts attempts,
 * {@code <prefix>signin:<key>:lock} exists while the key is locked and {@code <prefix>signin:known:<pair>} while a
 * pair is known; all expire on their own. Each operation is one
 * Lua script, so that concurrent attempts on several replicas cannot all slip past a lock.
 *
 * <p>Fails open to this replica's own counts: while Redis is unreachable (an error, or the circuit breaker open)
 * sign-in keeps working, throttled per replica by a {@link LocalThrottleStore}, instead of turning a Redis outage into
 * a sign-in outage. An attacker gains at most the free attempts of each replica for the outage's duration.
 */
final class RedisThrottleStore implements ThrottleStore {

    private static final Logger log = LoggerFactory.getLogger(RedisThrottleStore.class);

    /**
     * KEYS pair count, pair lock, account count, account lock, address count, address lock, known pair; ARGV pair,
     * account-wide and address free attempts, initial backoff ms, max backoff ms, reset-after ms. Returns the wait in
     * ms, or 0 when recorded. The account-wide lock does not hold back a known pair.
     */
    private static final RedisScript<Long> ACQUIRE = RedisScript.of("""
            local wait = math.max(redis.call('PTTL', KEYS[2]), redis.call('PTTL', KEYS[6]))
            if redis.call('EXISTS', KEYS[7]) == 0 then wait = math.max(wait, redis.call('PTTL', KEYS[4])) end
            if wait > 0 then return wait end
            local function count(countKey, lockKey, free)
              local n = redis.call('INCR', countKey)
              redis.call('PEXPIRE', countKey, ARGV[6])
              local over = n - tonumber(free)
              if over >= 0 then
                local ms = math.min(tonumber(ARGV[4]) * 2 ^ math.min(over, 40), tonumber(ARGV[5]))
                redis.call('SET', lockKey, '1', 'PX', math.max(1, math.floor(ms)))
              end
            end
            count(KEYS[1], KEYS[2], ARGV[1])
            count(KEYS[3], KEYS[4], ARGV[2])
            count(KEYS[5], KEYS[6], ARGV[3])
            return 0
            """, Long.class);

    /**
     * KEYS as {@link #ACQUIRE}; ARGV account-wide and address free attempts, known-address-for ms. A lock goes too
     * when taking the attempt back leaves its count below the free attempts (this very attempt set it).
     */
    private static final RedisScript<Long> SUCCEEDED = RedisScript.of("""
            redis.call('DEL', KEYS[1], KEYS[2])
            local function giveBack(countKey, lockKey, free)
              local n = tonumber(redis.call('GET', countKey) or '0')
              if n > 0 then n = redis.call('DECR', countKey) end
              if n < tonumber(free) then redis.call('DEL', lockKey) end
            end
            giveBack(KEYS[3], KEYS[4], ARGV[1])
            giveBack(KEYS[5], KEYS[6], ARGV[2])
            redis.call('SET', KEYS[7], '1', 'PX', ARGV[3])
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final CircuitBreaker breaker;
    private final String prefix;
    private final SignInThrottleProperties properties;
    private final LocalThrottleStore fallback;

    RedisThrottleStore(StringRedisTemplate redis, CircuitBreaker breaker, String keyPrefix,
                       SignInThrottleProperties properties, LocalThrottleStore fallback) {
        this.redis = redis;
        this.breaker = breaker;
        this.prefix = keyPrefix + "signin:";
        this.properties = properties;
        this.fallback = fallback;
    }

    @Override
    public Duration acquire(String account, String address) {
        try {
            Long wait = breaker.executeSupplier(() -> redis.execute(ACQUIRE, keys(account, address),
                    Integer.toString(properties.accountFreeAttempts()),
                    Integer.toString(properties.accountWideFreeAttempts()),
                    Integer.toString(properties.addressFreeAttempts()),
                    Long.toString(properties.initialBackoff().toMillis()),
                    Long.toString(properties.maxBackoff().toMillis()),
                    Long.toString(properties.resetAfter().toMillis())));
            return wait == null || wait <= 0 ? Duration.ZERO : Duration.ofMillis(wait);
        } catch (RuntimeException unavailable) {
            fellBack("acquire", unavailable);
            return fallback.acquire(account, address);
        }
    }

    @Override
    public void succeeded(String account, String address) {
        fallback.succeeded(account, address);
        try {
            breaker.executeSupplier(() -> redis.execute(SUCCEEDED, keys(account, address),
                    Integer.toString(properties.accountWideFreeAttempts()),
                    Integer.toString(properties.addressFreeAttempts()),
                    Long.toString(properties.knownAddressFor().toMillis())));
        } catch (RuntimeException unavailable) {
            fellBack("succeeded", unavailable);
        }
    }

    /** Logs real failures; while the breaker is open calls are skipped silently (its transitions are logged). */
    private void fellBack(String operation, RuntimeException failure) {
        if (failure instanceof CallNotPermittedException) {
            return;
        }
        LogEvents.warn(log, "signin.throttle.fallback").addKeyValue("operation", operation)
                .addKeyValue("reason", failure.getClass().getSimpleName()).log();
    }

    private List<String> keys(String account, String address) {
        String pair = ThrottleStore.pair(account, address);
        return List.of(count(pair), lock(pair), count(account), lock(account), count(address), lock(address),
                prefix + "known:" + pair);
    }

    private String count(String key) {
        return prefix + key;
    }

    private String lock(String key) {
        return prefix + key + ":lock";
    }
}
