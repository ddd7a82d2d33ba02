package org.atrium.chat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.cache.CacheProperties;
import org.atrium.cache.RedisCircuitBreakers;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Optional;

/**
 * Generated retrieval queries, by the hash of what they were generated from (see {@link QueryGeneration#cacheKey}).
 * In cluster mode they are kept in Redis for every replica ({@code <prefix>chat:queries:<hash>}, expiring after
 * {@code cache-ttl}); on a single node, and on each replica while Redis is unreachable (an error, or its circuit
 * breaker open), in this process (at most {@value #LOCAL_ENTRIES} entries, the same expiry). Queries are a pure
 * function of their key, so an entry can never be stale: only missing.
 */
@Component
class QueryCache {

    /** Most entries kept in the process. */
    static final int LOCAL_ENTRIES = 10_000;

    private static final Logger log = LoggerFactory.getLogger(QueryCache.class);
    private static final TypeReference<List<String>> QUERIES = new TypeReference<>() {
    };

    private final @Nullable StringRedisTemplate redis;
    private final CircuitBreaker breaker = RedisCircuitBreakers.create("chat.queries");
    private final String prefix;
    private final JsonMapper json;
    private final QueryGenerationProperties properties;
    private final Cache<String, List<String>> local;

    QueryCache(ObjectProvider<StringRedisTemplate> redis, CacheProperties cache, JsonMapper json,
               QueryGenerationProperties properties) {
        this.redis = redis.getIfAvailable();
        this.prefix = cache.keyPrefix() + "chat:queries:";
        this.json = json;
        this.properties = properties;
        this.local = Caffeine.newBuilder().maximumSize(LOCAL_ENTRIES).expireAfterWrite(properties.cacheTtl()).build();
    }

    /** @return the queries kept under this key, if any */
    Optional<List<String>> get(String key) {
        StringRedisTemplate shared = redis;
        if (shared != null) {
            try {
                String text = breaker.executeSupplier(() -> shared.opsForValue().get(prefix + key));
                if (text != null) {
                    return Optional.of(json.readValue(text, QUERIES));
                }
            } catch (RuntimeException unavailable) {
                fellBack("get", unavailable);
            }
        }
        return Optional.ofNullable(local.getIfPresent(key));
    }

    /** Keeps queries under a key. */
    void put(String key, List<String> queries) {
        List<String> kept = List.copyOf(queries);
        local.put(key, kept);
        StringRedisTemplate shared = redis;
        if (shared != null) {
            String text = json.writeValueAsString(kept);
            try {
                breaker.executeRunnable(() -> shared.opsForValue().set(prefix + key, text, properties.cacheTtl()));
            } catch (RuntimeException unavailable) {
                fellBack("put", unavailable);
            }
        }
    }

    private static void fellBack(String operation, RuntimeException unavailable) {
        LogEvents.warn(log, "chat.queries.redis.fallback").addKeyValue("operation", operation)
                .addKeyValue("reason", unavailable.getClass().getSimpleName()).log();
    }
}
