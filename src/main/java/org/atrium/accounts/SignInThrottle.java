package org.atrium.accounts;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.atrium.cache.CacheProperties;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Throttles sign-in per e-mail address and per client address (see {@link SignInThrottleProperties}), across every
 * replica in cluster mode. The e-mail address is counted whether or not an account has it, so that neither the
 * answers nor their timing tell an attacker which addresses exist.
 */
@Component
class SignInThrottle {

    private static final Logger log = LoggerFactory.getLogger(SignInThrottle.class);

    private final ThrottleStore store;

    SignInThrottle(SignInThrottleProperties properties, ObjectProvider<StringRedisTemplate> redis,
                   CacheProperties cache) {
        LocalThrottleStore local = new LocalThrottleStore(properties, Ticker.systemTicker());
        StringRedisTemplate template = redis.getIfAvailable();
        this.store = template == null ? local
                : new RedisThrottleStore(template, breaker(), cache.keyPrefix(), properties, local);
    }

    /**
     * Records a sign-in attempt, unless the e-mail or the client address is locked.
     *
     * @param email         the e-mail address as sent
     * @param clientAddress the client's IP address
     * @return how long the client must wait, or {@link Duration#ZERO} when the attempt may go ahead
     */
    Duration acquire(String email, String clientAddress) {
        return store.acquire(accountKey(email), addressKey(clientAddress));
    }

    /**
     * Clears the e-mail address's count after a successful sign-in.
     *
     * @param email         the e-mail address as sent
     * @param clientAddress the client's IP address
     */
    void succeeded(String email, String clientAddress) {
        store.succeeded(accountKey(email), addressKey(clientAddress));
    }

    /** The lock after the attempt that is {@code over} attempts past the free ones: initial, doubling, capped. */
    static Duration backoff(SignInThrottleProperties properties, int over) {
        long initial = properties.initialBackoff().toMillis();
        long max = properties.maxBackoff().toMillis();
        double millis = Math.min(max, initial * Math.pow(2, Math.min(over, 40)));
        return Duration.ofMillis(Math.max(1, (long) millis));
    }

    /** A digest, so that no e-mail address is stored in Redis, and case or surrounding spaces do not escape it. */
    static String accountKey(String email) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(email.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return "account:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is part of every JVM", impossible);
        }
    }

    /** One IPv6 host usually holds a whole /64, so an IPv6 address counts as its /64. */
    static String addressKey(String clientAddress) {
        try {
            byte[] bytes = InetAddress.ofLiteral(clientAddress).getAddress();
            if (bytes.length == 16) {
                return "address:" + HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
            }
            return "address:" + clientAddress;
        } catch (IllegalArgumentException notAnAddress) {
            return "address:" + clientAddress;
        }
    }

    private static CircuitBreaker breaker() {
        CircuitBreaker breaker = CircuitBreaker.of("redis-signin", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(3)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
        breaker.getEventPublisher().onStateTransition(event -> LogEvents.warn(log, "signin.throttle.redis.circuit")
                .addKeyValue("transition", event.getStateTransition().name()).log());
        return breaker;
    }
}
