package org.atrium.models.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.Optional;

/**
 * Model lists in Redis, shared by every replica: {@code <prefix>models:<key>} holds the entry as JSON,
 * {@code <prefix>models:<key>:fetch} exists while a replica fetches it. Falls back to this replica's own copies
 * while Redis is unreachable (an error, or the circuit breaker open): the catalogue keeps working, each replica
 * fetching for itself.
 */
public final class RedisModelListStore implements ModelListStore {

    private static final Logger log = LoggerFactory.getLogger(RedisModelListStore.class);
    private static final int MAX_PARSED = 256;

    private final StringRedisTemplate redis;
    private final CircuitBreaker breaker;
    private final String prefix;
    private final JsonMapper json;
    private final LocalModelListStore fallback;
    /**
     * The last entry read or stored for each key with the text it was parsed from and when ({@link System#nanoTime}):
     * every model call reads its connection's list, which changes once per refresh period, and comparing the text
     * costs much less than parsing it again; a call reads it from Redis at most once per {@link #recent}'s age.
     * Bounded to {@link #MAX_PARSED} (connection, credential) pairs, the least recently used going first.
     */
    private final Cache<String, Parsed> parsed = Caffeine.newBuilder().maximumSize(MAX_PARSED).build();

    private record Parsed(String text, ModelListEntry entry, long readAt) {
    }

    /**
     * @param redis     the Redis client
     * @param breaker   the breaker for these calls
     * @param keyPrefix the installation's key prefix
     * @param json      the JSON mapper
     * @param fallback  this replica's own store
     */
    public RedisModelListStore(StringRedisTemplate redis, CircuitBreaker breaker, String keyPrefix, JsonMapper json,
                               LocalModelListStore fallback) {
        this.redis = redis;
        this.breaker = breaker;
        this.prefix = keyPrefix + "models:";
        this.json = json;
        this.fallback = fallback;
    }

    @Override
    public Optional<ModelListEntry> get(String key) {
        try {
            String text = breaker.executeSupplier(() -> redis.opsForValue().get(prefix + key));
            if (text == null) {
                return Optional.empty();
            }
            Parsed last = parsed.getIfPresent(key);
            ModelListEntry entry = last != null && last.text().equals(text) ? last.entry()
                    : json.readValue(text, ModelListEntry.class);
            parsed.put(key, new Parsed(text, entry, System.nanoTime()));
            return Optional.of(entry);
        } catch (RuntimeException unavailable) {
            fellBack("get", unavailable);
            return fallback.get(key);
        }
    }

    @Override
    public Optional<ModelListEntry> recent(String key, Duration maxAge) {
        Parsed last = parsed.getIfPresent(key);
        if (last != null && System.nanoTime() - last.readAt() < maxAge.toNanos()) {
            return Optional.of(last.entry());
        }
        return get(key);
    }

    @Override
    public void put(String key, ModelListEntry entry, Duration ttl) {
        fallback.put(key, entry, ttl);
        String text = json.writeValueAsString(entry);
        try {
            breaker.executeRunnable(() -> redis.opsForValue().set(prefix + key, text, ttl));
            parsed.put(key, new Parsed(text, entry, System.nanoTime()));
        } catch (RuntimeException unavailable) {
            fellBack("put", unavailable);
        }
    }

    @Override
    public boolean claim(String key, Duration ttl) {
        try {
            Boolean got = breaker.executeSupplier(() -> redis.opsForValue()
                    .setIfAbsent(prefix + key + ":fetch", "1", ttl));
            return Boolean.TRUE.equals(got);
        } catch (RuntimeException unavailable) {
            fellBack("claim", unavailable);
            return fallback.claim(key, ttl);
        }
    }

    @Override
    public void release(String key) {
        fallback.release(key);
        try {
            breaker.executeRunnable(() -> redis.delete(prefix + key + ":fetch"));
        } catch (RuntimeException unavailable) {
            fellBack("release", unavailable);
        }
    }

    private void fellBack(String operation, RuntimeException failure) {
        if (failure instanceof CallNotPermittedException) {
            return;
        }
        LogEvents.warn(log, "models.store.fallback").addKeyValue("operation", operation)
                .addKeyValue("reason", failure.getClass().getSimpleName()).log();
    }
}
