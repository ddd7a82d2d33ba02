package org.atrium.cache;

import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.util.Locale;
import java.util.Properties;

/**
 * What the protocol needs from Redis, checked at startup: losing keys is fine (a lost version never validates and is
 * reseeded), but getting <em>old</em> ones back is not. A Redis that persists (RDB or AOF) can restart with versions
 * older than acknowledged writes; an {@code allkeys-*} eviction policy can drop a version key that a fenced reseed then
 * re-creates from an older read. Atrium refuses such a Redis. Where {@code CONFIG} is not allowed (managed services),
 * it logs the requirements instead.
 */
final class RedisRequirements {

    private static final Logger log = LoggerFactory.getLogger(RedisRequirements.class);

    private RedisRequirements() {
    }

    static void check(StringRedisTemplate redis) {
        Properties config;
        try {
            config = redis.execute((RedisCallback<Properties>) connection -> {
                Properties all = new Properties();
                for (String name : new String[]{"save", "appendonly", "maxmemory-policy"}) {
                    all.putAll(connection.serverCommands().getConfig(name));
                }
                return all;
            });
        } catch (RuntimeException unavailable) {
            LogEvents.warn(log, "cache.redis.requirements_unchecked")
                    .addKeyValue("reason", unavailable.getClass().getSimpleName())
                    .addKeyValue("requirements", "no persistence (save \"\", appendonly no); maxmemory-policy"
                            + " noeviction or volatile-*; one primary, no failover to asynchronous replicas")
                    .log();
            return;
        }
        if (config == null) {
            return;
        }
        String save = config.getProperty("save", "").strip();
        String appendOnly = config.getProperty("appendonly", "no").strip().toLowerCase(Locale.ROOT);
        String policy = config.getProperty("maxmemory-policy", "noeviction").strip().toLowerCase(Locale.ROOT);
        if (!save.isEmpty() || appendOnly.equals("yes") || policy.startsWith("allkeys")) {
            throw new IllegalStateException("The Redis at SPRING_DATA_REDIS_URL keeps or evicts keys in ways Atrium's"
                    + " cache cannot allow (save='" + save + "', appendonly=" + appendOnly + ", maxmemory-policy="
                    + policy + "). A Redis that restarts from disk could serve permissions older than acknowledged"
                    + " changes. Run it with --save \"\" --appendonly no and maxmemory-policy noeviction or"
                    + " volatile-lru (Atrium only needs Redis as a cache; PostgreSQL is the source of truth).");
        }
    }
}
