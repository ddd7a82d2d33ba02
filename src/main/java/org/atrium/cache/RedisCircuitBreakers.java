package org.atrium.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The one circuit-breaker configuration for calls to Redis, used by the cache and by every other module that talks
 * to Redis, so that they all stop waiting on an unreachable Redis the same way: open after half of the last 10 calls
 * (at least 3) failed, try one call again after 2 s.
 */
public final class RedisCircuitBreakers {

    private static final Logger log = LoggerFactory.getLogger(RedisCircuitBreakers.class);

    private static final CircuitBreakerConfig CONFIG = CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(10)
            .minimumNumberOfCalls(3)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(2))
            .permittedNumberOfCallsInHalfOpenState(1)
            .build();

    private RedisCircuitBreakers() {
    }

    /**
     * Creates a breaker whose state transitions are logged as {@code <name>.redis.circuit}.
     *
     * @param name the user's name in the log vocabulary, for example {@code cache} or {@code signin.throttle}
     * @return a new breaker
     */
    public static CircuitBreaker create(String name) {
        CircuitBreaker breaker = CircuitBreaker.of("redis-" + name, CONFIG);
        breaker.getEventPublisher().onStateTransition(event -> LogEvents.warn(log, name + ".redis.circuit")
                .addKeyValue("transition", event.getStateTransition().name()).log());
        return breaker;
    }
}
