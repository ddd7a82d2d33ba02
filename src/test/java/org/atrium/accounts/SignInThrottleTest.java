package org.atrium.accounts;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sign-in throttling per e-mail address and client address, in process (defaults: 5 attempts, then 1 s doubling), and
 * the stores' account-wide cap. Across replicas: {@code SignInThrottleClusterTest}; per client address whatever the
 * e-mail: {@code AbuseLimitsProcessTest}.
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
    void everySpellingThatReachesTheAccountSharesOneCount() {
        TestUsers.Account user = users.user();
        String fullWidth = user.email().chars().mapToObj(c -> c > 0x20 && c < 0x7F ? Character.toString(c + 0xFEE0)
                : Character.toString(c)).collect(java.util.stream.Collectors.joining());
        String[] spellings = {user.email(), fullWidth, user.email() + "\u00A0"};

        Api.Response last = null;
        for (int attempt = 0; attempt < 8 && (last == null || last.status() != 429); attempt++) {
            last = api.post(SIGN_IN, Map.of("email", spellings[attempt % 3], "password", "wrong password"), null);
            if (attempt < 5) {
                assertThat(last.status()).as("attempt %d: %s", attempt + 1, last.text()).isEqualTo(401);
            }
        }

        assertThat(last.status()).as("no spelling gets a fresh count: %s", last.text()).isEqualTo(429);
    }

    @Test
    void failuresFromAnotherAddressNeverLockTheOwnerOut() throws Exception {
        TestUsers.Account owner = users.user();
        HttpClient attacker = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2"))
                .connectTimeout(Duration.ofSeconds(5)).build();

        int status = 0;
        for (int attempt = 1; attempt <= 15 && status != 429; attempt++) {
            status = attacker.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + SIGN_IN))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + owner.email()
                            + "\",\"password\":\"wrong password\"}")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        Api.Response ownerSignIn = api.post(SIGN_IN, Map.of("email", owner.email(), "password", owner.password()),
                null);

        assertThat(status).as("the attacker's address is locked").isEqualTo(429);
        assertThat(ownerSignIn.status()).as("the owner, from another address: %s", ownerSignIn.text())
                .isEqualTo(200);
    }

    @Test
    void redisCountsLockPerAddressAndAccountWideAndASuccessTakesOnlyItsOwnAttemptBack() {
        SignInThrottleProperties properties = new SignInThrottleProperties(3, 6, 5, Duration.ofSeconds(30),
                Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofDays(30));
        RedisThrottleStore store = new RedisThrottleStore(redis, CircuitBreaker.ofDefaults("throttle-test"),
                "throttle-test-" + UUID.randomUUID() + ":", properties,
                new LocalThrottleStore(properties, Ticker.systemTicker()));
        assertThat(store.acquire("account", "home")).isZero();
        store.succeeded("account", "home");

        for (int attempt = 0; attempt < 3; attempt++) {
            assertThat(store.acquire("account", "ip-a")).isZero();
        }
        assertThat(store.acquire("account", "ip-a")).as("the pair is locked")
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
        for (String other : new String[] {"ip-b", "ip-c", "ip-d"}) {
            assertThat(store.acquire("account", other)).as("not the account from %s", other).isZero();
        }
        assertThat(store.acquire("account", "ip-e")).as("six attempts lock the account for unknown addresses")
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(store.acquire("account", "home")).as("not for a known one").isZero();

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
