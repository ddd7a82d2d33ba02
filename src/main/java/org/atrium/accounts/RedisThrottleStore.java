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
 * Attempt counts in Redis, shared by every replica: {@code <prefix>signin:<key>} counts attempts and
 * {@code <prefix>signin:<key>:lock} exists while the key is locked; both expire on their own. Each operation is one
 * Lua script, so that concurrent attempts on several replicas cannot all slip past a lock.
 *
 * <p>Fails open to this replica's own counts: while Redis is unreachable (an error, or the circuit breaker open)
 * sign-in keeps working, throttled per replica by a {@link LocalThrottleStore}, instead of turning a Redis outage into
 * a sign-in outage. An attacker gains at most the free attempts of each replica for the outage's duration.
 */
final class RedisThrottleStore implements ThrottleStore {

    private static final Logger log = LoggerFactory.getLogger(RedisThrottleStore.class);

    /**
     * KEYS account count, account lock, address count, address lock; ARGV account free attempts, address free
     * attempts, initial backoff ms, max backoff ms, reset-after ms. Returns the wait in ms, or 0 when recorded.
     */
    private static final RedisScript<Long> ACQUIRE = RedisScript.of("""
            local wait = math.max(redis.call('PTTL', KEYS[2]), redis.call('PTTL', KEYS[4]))
            if wait > 0 then return wait end
            local function count(countKey, lockKey, free)
              local n = redis.call('INCR', countKey)
              redis.call('PEXPIRE', countKey, ARGV[5])
              local over = n - tonumber(free)
              if over >= 0 then
                local ms = math.min(tonumber(ARGV[3]) * 2 ^ math.min(over, 40), tonumber(ARGV[4]))
                redis.call('SET', lockKey, '1', 'PX', math.max(1, math.floor(ms)))
              end
            end
            count(KEYS[1], KEYS[2], ARGV[1])
            count(KEYS[3], KEYS[4], ARGV[2])
            return 0
            """, Long.class);

    /**
     * KEYS account count, account lock, address count, address lock; ARGV address free attempts. The address lock
     * goes too when taking the attempt back leaves the address below its free attempts (this very attempt set it).
     */
    private static final RedisScript<Long> SUCCEEDED = RedisScript.of("""
            redis.call('DEL', KEYS[1], KEYS[2])
            local n = tonumber(redis.call('GET', KEYS[3]) or '0')
            if n > 0 then n = redis.call('DECR', KEYS[3]) end
            if n < tonumber(ARGV[1]) then redis.call('DEL', KEYS[4]) end
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
            Long wait = breaker.executeSupplier(() -> redis.execute(ACQUIRE,
                    List.of(count(account), lock(account), count(address), lock(address)),
                    Integer.toString(properties.accountFreeAttempts()),
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
            breaker.executeSupplier(() -> redis.execute(SUCCEEDED,
                    List.of(count(account), lock(account), count(address), lock(address)),
                    Integer.toString(properties.addressFreeAttempts())));
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

    private String count(String key) {
        return prefix + key;
    }

    private String lock(String key) {
        return prefix + key + ":lock";
    }
}
