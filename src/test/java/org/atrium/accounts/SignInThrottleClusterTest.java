package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sign-in throttling is shared by replicas through Redis: attempts on one replica lock the account on the other, the
 * right password is refused until the lock ends, and a successful sign-in clears the count. While Redis is down,
 * sign-in keeps working and each replica throttles with its own counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignInThrottleClusterTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String SIGN_IN = "/api/v1/auth/signin";

    private Cluster cluster;

    @BeforeAll
    void startCluster() {
        cluster = Cluster.start("throttle", 2, Map.of(
                "ATRIUM_SIGNIN_THROTTLE_ACCOUNT_FREE_ATTEMPTS", "3",
                "ATRIUM_SIGNIN_THROTTLE_INITIAL_BACKOFF", "8s",
                "ATRIUM_SIGNIN_THROTTLE_ADDRESS_FREE_ATTEMPTS", "1000"));
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void signInIsThrottledPerAccountAcrossReplicasUntilTheLockEndsAndSuccessResetsTheCount() {
        String email = "throttled-" + UUID.randomUUID().toString().substring(0, 8) + "@atrium.test";
        Api.Response signUp = cluster.api(0).post("/api/v1/auth/signup",
                Map.of("email", email, "name", "Throttled", "password", PASSWORD), null);
        assertThat(signUp.status()).as(signUp.text()).isEqualTo(201);

        for (int attempt = 0; attempt < 3; attempt++) {
            Api.Response wrong = cluster.api(attempt % 2).post(SIGN_IN, signIn(email, "wrong password"), null);
            assertThat(wrong.status()).as("attempt %d: %s", attempt + 1, wrong.text()).isEqualTo(401);
        }
        Api.Response locked = cluster.api(1).post(SIGN_IN, signIn(email, PASSWORD), null);

        assertThat(locked.status()).as("the right password on the other replica: %s", locked.text()).isEqualTo(429);
        assertThat(locked.json().path("code").asString(null)).isEqualTo("too_many_attempts");
        assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 8L);
        Api.Response stillLocked = cluster.api(0).post(SIGN_IN, signIn(email, PASSWORD), null);
        assertThat(stillLocked.status()).as("and on the first: %s", stillLocked.text()).isEqualTo(429);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(cluster.api(1).post(SIGN_IN, signIn(email, PASSWORD), null).status()).isEqualTo(200));

        Api.Response wrongAfterSuccess = cluster.api(0).post(SIGN_IN, signIn(email, "wrong password"), null);
        Api.Response rightAfterSuccess = cluster.api(1).post(SIGN_IN, signIn(email, PASSWORD), null);
        assertThat(wrongAfterSuccess.status()).as(wrongAfterSuccess.text()).isEqualTo(401);
        assertThat(rightAfterSuccess.status()).as("the success cleared the count: %s", rightAfterSuccess.text())
                .isEqualTo(200);
    }

    @Test
    @Order(2)
    void whileRedisIsDownSignInWorksAndEachReplicaThrottlesOnItsOwn() {
        String email = "outage-" + UUID.randomUUID().toString().substring(0, 8) + "@atrium.test";
        Api.Response signUp = cluster.api(0).post("/api/v1/auth/signup",
                Map.of("email", email, "name", "Outage", "password", PASSWORD), null);
        assertThat(signUp.status()).as(signUp.text()).isEqualTo(201);
        cluster.stopRedis();
        try {
            Api.Response signedIn = cluster.api(1).post(SIGN_IN, signIn(email, PASSWORD), null);
            assertThat(signedIn.status()).as("no sign-in outage: %s", signedIn.text()).isEqualTo(200);

            for (int attempt = 0; attempt < 3; attempt++) {
                Api.Response wrong = cluster.api(1).post(SIGN_IN, signIn(email, "wrong password"), null);
                assertThat(wrong.status()).as("attempt %d: %s", attempt + 1, wrong.text()).isEqualTo(401);
            }
            Api.Response locked = cluster.api(1).post(SIGN_IN, signIn(email, PASSWORD), null);
            assertThat(locked.status()).as("throttled by the replica itself: %s", locked.text()).isEqualTo(429);
        } finally {
            cluster.startRedis();
        }
    }

    private static Map<String, String> signIn(String email, String password) {
        return Map.of("email", email, "password", password);
    }
}
