package org.atrium.cache;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

/**
 * What the protocol needs from Redis, checked at startup: losing keys is fine (a lost version never validates and is
 * reseeded), but getting <em>old</em> ones back is not. A Redis that persists (RDB or AOF) can restart with versions
 * older than acknowledged writes; an {@code allkeys-*} eviction policy can drop a version key that a fenced reseed then
 * re-creates from an older read. Atrium refuses such a Redis. Where {@code CONFIG} is not allowed (managed services),
 * it logs the requirements instead. A Redis that does not answer (unreachable, or too slow under load) is asked
 * again with backoff until {@code atrium.cache.redis-startup-timeout}; if it never answers, Atrium refuses to start
 * rather than serve against a Redis it could not check.
 */
final class RedisRequirements {

    private static final Logger log = LoggerFactory.getLogger(RedisRequirements.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private RedisRequirements() {
    }

    /**
     * Reads Redis's persistence and eviction settings and refuses the ones the protocol cannot allow.
     *
     * @param redis   the Redis Atrium will use
     * @param timeout how long to keep asking a Redis that does not answer
     * @throws RedisRefusedException when Redis persists or may evict version keys, or never answered in time
     */
    static void check(StringRedisTemplate redis, Duration timeout) {
        Properties config;
        try {
            config = readConfig(redis, timeout);
        } catch (NoAnswer noAnswer) {
            throw new RedisRefusedException("The Redis at SPRING_DATA_REDIS_URL did not answer " + noAnswer.attempts
                    + " attempts to read its configuration (CONFIG GET) within " + timeout.toSeconds() + " s (last: "
                    + noAnswer.getCause().getClass().getSimpleName() + "). Atrium refuses to start without checking"
                    + " that Redis neither persists nor evicts version keys.", "Check SPRING_DATA_REDIS_URL and that"
                    + " Redis is reachable and not overloaded, or give it longer with"
                    + " ATRIUM_CACHE_REDIS_STARTUP_TIMEOUT.", noAnswer.getCause());
        } catch (RuntimeException notAllowed) {
            LogEvents.warn(log, "cache.redis.requirements_unchecked")
                    .addKeyValue("reason", notAllowed.getClass().getSimpleName())
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
            throw new RedisRefusedException("The Redis at SPRING_DATA_REDIS_URL keeps or evicts keys in ways Atrium's"
                    + " cache cannot allow (save='" + save + "', appendonly=" + appendOnly + ", maxmemory-policy="
                    + policy + "). A Redis that restarts from disk could serve permissions older than acknowledged"
                    + " changes.", "Run it with --save \"\" --appendonly no and maxmemory-policy noeviction or"
                    + " volatile-lru (Atrium only needs Redis as a cache; PostgreSQL is the source of truth).", null);
        }
    }

    private static Properties readConfig(StringRedisTemplate redis, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                return redis.execute((RedisCallback<Properties>) connection -> {
                    Properties all = new Properties();
                    for (String name : new String[]{"save", "appendonly", "maxmemory-policy"}) {
                        all.putAll(connection.serverCommands().getConfig(name));
                    }
                    return all;
                });
            } catch (RuntimeException failure) {
                if (!noAnswer(failure)) {
                    throw failure;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new NoAnswer(attempt, failure);
                }
                LogEvents.warn(log, "cache.redis.requirements_retry").addKeyValue("attempt", attempt)
                        .addKeyValue("reason", failure.getClass().getSimpleName())
                        .addKeyValue("backoff_ms", backoff.toMillis()).log();
                sleep(Math.min(backoff.toNanos(), left));
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Unreachable or too slow, as opposed to an answer that refuses {@code CONFIG} (a managed service). */
    private static boolean noAnswer(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException || cause instanceof QueryTimeoutException
                    || cause instanceof TimeoutException || cause instanceof java.io.IOException
                    || cause instanceof RedisConnectionException || cause instanceof RedisCommandTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", interrupted);
        }
    }

    /** Redis never answered before the deadline. */
    private static final class NoAnswer extends RuntimeException {
        private final int attempts;

        NoAnswer(int attempts, RuntimeException last) {
            super(last);
            this.attempts = attempts;
        }
    }
}
