package org.atrium.accounts;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sign-in throttling per e-mail address, in process (defaults: 5 attempts, then 1 s doubling). Across replicas:
 * {@code SignInThrottleClusterTest}; per client address: {@code AbuseLimitsProcessTest}.
 */
class SignInThrottleTest extends IntegrationTest {

    private static final String SIGN_IN = "/api/v1/auth/signin";

    @Autowired
    private StringRedisTemplate redis;

    @Test
    void repeatedWrongPasswordsEndIn429WithRetryAfterAsAProblem() {
        TestUsers.Account user = users.user();

        Api.Response throttled = attemptUntilThrottled(user.email(), 15);

        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Content-Type")).startsWith("application/problem+json");
        assertThat(throttled.json().path("code").asString(null)).isEqualTo("too_many_attempts");
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isPositive();
    }

    @Test
    void unknownEmailAddressesAreThrottledLikeKnownOnes() {
        Api.Response throttled = attemptUntilThrottled(TestUsers.uniqueEmail("nobody"), 15);

        assertThat(throttled.status()).as("an unknown address is not told apart").isEqualTo(429);
        assertThat(throttled.json().path("code").asString(null)).isEqualTo("too_many_attempts");
    }

    @Test
    void theCountIgnoresCaseAndSurroundingSpaces() {
        TestUsers.Account user = users.user();
        String[] spellings = {user.email().toUpperCase(), " " + user.email(), user.email()};

        Api.Response last = null;
        for (int attempt = 0; attempt < 15 && (last == null || last.status() != 429); attempt++) {
            last = api.post(SIGN_IN, Map.of("email", spellings[attempt % 3], "password", "wrong password"), null);
        }

        assertThat(last.status()).as(last.text()).isEqualTo(429);
    }

    @Test
    void redisCountsLockAfterTheFreeAttemptsAndASuccessTakesOnlyItsOwnAttemptBack() {
        SignInThrottleProperties properties = new SignInThrottleProperties(3, 5, Duration.ofSeconds(30),
                Duration.ofMinutes(1), Duration.ofMinutes(15));
        RedisThrottleStore store = new RedisThrottleStore(redis, CircuitBreaker.ofDefaults("throttle-test"),
                "throttle-test-" + UUID.randomUUID() + ":", properties,
                new LocalThrottleStore(properties, Ticker.systemTicker()));

        for (int attempt = 0; attempt < 3; attempt++) {
            assertThat(store.acquire("account", "ip-" + attempt)).isZero();
        }
        assertThat(store.acquire("account", "ip-3")).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));

        for (int attempt = 0; attempt < 4; attempt++) {
            assertThat(store.acquire("other-" + attempt, "ip")).isZero();
        }
        assertThat(store.acquire("mine", "ip")).as("the fifth attempt from the address").isZero();
        store.succeeded("mine", "ip");
        assertThat(store.acquire("mine", "ip")).as("free again after the success").isZero();
        assertThat(store.acquire("another", "ip")).as("then locked")
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** Wrong passwords until a 429 (the first 5 must be 401s); the lock doubles, so a slow machine gets there too. */
    private Api.Response attemptUntilThrottled(String email, int maxAttempts) {
        Api.Response response = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            response = api.post(SIGN_IN, Map.of("email", email, "password", "wrong password"), null);
            if (attempt <= 5) {
                assertThat(response.status()).as("attempt %d: %s", attempt, response.text()).isEqualTo(401);
            } else if (response.status() == 429) {
                return response;
            }
        }
        return response;
    }
}
