package org.atrium.cache;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Whether this replica reaches Redis, told apart from whether it can serve: a replica without Redis still answers
 * reads from PostgreSQL (only writes are refused), so Redis is left out of readiness, where an outage would take
 * every replica out of the load balancer at once. Instead it is reported here: a {@code PING} every
 * {@code atrium.cache.redis-probe-interval}, the gauge {@code atrium.redis.available} (1 or 0), and one log event
 * per transition ({@code cache.redis.unavailable}, {@code cache.redis.available}). The {@code redis} health
 * component, in its own group {@code /actuator/health/cache}, reports the same outside readiness.
 */
final class RedisAvailability {

    private static final Logger log = LoggerFactory.getLogger(RedisAvailability.class);

    private final StringRedisTemplate redis;
    private volatile boolean available = true;
    private volatile long unavailableSince;

    RedisAvailability(StringRedisTemplate redis, MeterRegistry meters) {
        this.redis = redis;
        Gauge.builder("atrium.redis.available", this, availability -> availability.available ? 1 : 0)
                .description("1 while this replica reaches Redis, 0 while it serves without it")
                .register(meters);
    }

    /** @return whether the last probe reached Redis */
    boolean available() {
        return available;
    }

    @Scheduled(fixedDelayString = "${atrium.cache.redis-probe-interval:2s}")
    void probe() {
        String failure = null;
        try {
            String answer = redis.execute((RedisCallback<String>) connection -> connection.ping());
            if (!"PONG".equalsIgnoreCase(answer)) {
                failure = "unexpected answer";
            }
        } catch (RuntimeException unreachable) {
            failure = unreachable.getClass().getSimpleName();
        }
        if (failure == null && !available) {
            available = true;
            LogEvents.info(log, "cache.redis.available")
                    .addKeyValue("down_ms", (System.nanoTime() - unavailableSince) / 1_000_000).log();
        } else if (failure != null && available) {
            available = false;
            unavailableSince = System.nanoTime();
            LogEvents.warn(log, "cache.redis.unavailable").addKeyValue("reason", failure).log();
        }
    }
}
