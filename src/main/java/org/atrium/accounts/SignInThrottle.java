package org.atrium.accounts;

import com.github.benmanes.caffeine.cache.Ticker;
import org.atrium.cache.CacheProperties;
import org.atrium.cache.RedisCircuitBreakers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Throttles sign-in per e-mail address from one client address, per e-mail address from all, and per client address
 * (see {@link SignInThrottleProperties}), across every replica in cluster mode. The e-mail address is counted whether
 * or not an account has it, so that neither the answers nor their timing tell an attacker which addresses exist.
 */
@Component
class SignInThrottle {

    private final ThrottleStore store;

    SignInThrottle(SignInThrottleProperties properties, ObjectProvider<StringRedisTemplate> redis,
                   CacheProperties cache) {
        LocalThrottleStore local = new LocalThrottleStore(properties, Ticker.systemTicker());
        StringRedisTemplate template = redis.getIfAvailable();
        this.store = template == null ? local
                : new RedisThrottleStore(template, RedisCircuitBreakers.create("signin.throttle"), cache.keyPrefix(),
                        properties, local);
    }

    /**
     * Records a sign-in attempt, unless the e-mail address (from this client address, or from everywhere for a client
     * address that is not known to the account) or the client address is locked.
     *
     * @param email         the e-mail address as sent
     * @param clientAddress the client's IP address
     * @return how long the client must wait, or {@link Duration#ZERO} when the attempt may go ahead
     */
    Duration acquire(String email, String clientAddress) {
        return store.acquire(accountKey(email), addressKey(clientAddress));
    }

    /**
     * Clears the count of the e-mail address from this client address after a successful sign-in, and makes the client
     * address known to the account.
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

    /**
     * A digest, so that no e-mail address is stored in Redis, of the address as accounts store it, so that no spelling
     * that reaches the same account (case, spaces, full-width letters) gets a fresh count.
     */
    static String accountKey(String email) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(EmailAddresses.normalize(email).getBytes(StandardCharsets.UTF_8));
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
}
