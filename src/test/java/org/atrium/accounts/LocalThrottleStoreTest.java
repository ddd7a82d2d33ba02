package org.atrium.accounts;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process counts (single node, and the fallback while Redis is away), on a clock the test moves. */
class LocalThrottleStoreTest {

    private static final SignInThrottleProperties PROPERTIES = new SignInThrottleProperties(3, 5,
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(15));

    private final AtomicLong nanos = new AtomicLong();
    private final LocalThrottleStore store = new LocalThrottleStore(PROPERTIES, nanos::get);

    @Test
    void locksDoubleFromTheFreeAttemptsUpToTheMaximum() {
        assertThat(store.acquire("a", "ip-1")).isZero();
        assertThat(store.acquire("a", "ip-2")).isZero();
        assertThat(store.acquire("a", "ip-3")).as("the third attempt goes ahead and locks").isZero();
        assertThat(store.acquire("a", "ip-4")).isEqualTo(Duration.ofSeconds(1));

        Duration[] expected = {Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(10), Duration.ofSeconds(10)};
        for (Duration lock : expected) {
            advance(store.acquire("a", "ip-5"));
            assertThat(store.acquire("a", "ip-6")).isZero();
            assertThat(store.acquire("a", "ip-7")).isEqualTo(lock);
        }
    }

    @Test
    void successClearsTheAccountButOnlyTakesItsOwnAttemptBackFromTheAddress() {
        for (int attempt = 0; attempt < 4; attempt++) {
            assertThat(store.acquire("other-" + attempt, "ip")).isZero();
        }
        assertThat(store.acquire("mine", "ip")).as("the fifth attempt from the address").isZero();
        store.succeeded("mine", "ip");

        assertThat(store.acquire("mine", "ip")).as("one more from the address is free again").isZero();
        assertThat(store.acquire("another", "ip")).as("the address is now locked")
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void countsAreForgottenAfterResetAfter() {
        for (int attempt = 0; attempt < 3; attempt++) {
            store.acquire("a", "ip-" + attempt);
        }
        advance(Duration.ofMinutes(16));

        for (int attempt = 0; attempt < 3; attempt++) {
            assertThat(store.acquire("a", "ip-again-" + attempt)).isZero();
        }
    }

    @Test
    void anIpv6AddressCountsAsItsSlash64AndEmailsIgnoreCase() {
        assertThat(SignInThrottle.addressKey("2001:db8:1:2:aaaa::1"))
                .isEqualTo(SignInThrottle.addressKey("2001:db8:1:2:bbbb::2"))
                .isNotEqualTo(SignInThrottle.addressKey("2001:db8:1:3::1"));
        assertThat(SignInThrottle.addressKey("192.0.2.1")).isNotEqualTo(SignInThrottle.addressKey("192.0.2.2"));
        assertThat(SignInThrottle.accountKey(" Ada@Example.org")).isEqualTo(SignInThrottle.accountKey("ada@example.org"))
                .doesNotContain("ada");
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
