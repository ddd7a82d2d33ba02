package org.atrium.accounts;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process counts (single node, and the fallback while Redis is away), on a clock the test moves. */
class LocalThrottleStoreTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void locksDoubleFromTheFreeAttemptsUpToTheMaximum() {
        LocalThrottleStore store = store(3, 1000, 1000);
        assertThat(store.acquire("a", "ip")).isZero();
        assertThat(store.acquire("a", "ip")).isZero();
        assertThat(store.acquire("a", "ip")).as("the third attempt goes ahead and locks").isZero();
        assertThat(store.acquire("a", "ip")).isEqualTo(Duration.ofSeconds(1));

        Duration[] expected = {Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(10), Duration.ofSeconds(10)};
        for (Duration lock : expected) {
            advance(store.acquire("a", "ip"));
            assertThat(store.acquire("a", "ip")).isZero();
            assertThat(store.acquire("a", "ip")).isEqualTo(lock);
        }
    }

    @Test
    void failuresFromOneAddressNeverLockTheAccountAtAnother() {
        LocalThrottleStore store = store(3, 1000, 1000);
        for (int attempt = 0; attempt < 3; attempt++) {
            assertThat(store.acquire("a", "attacker")).isZero();
        }
        assertThat(store.acquire("a", "attacker")).as("the attacker's address is locked").isPositive();

        assertThat(store.acquire("a", "owner")).as("the owner's is not").isZero();
    }

    @Test
    void theAccountWideCapLocksEveryAddressThatNeverSignedInButNotKnownOnes() {
        LocalThrottleStore store = store(3, 6, 1000);
        assertThat(store.acquire("a", "home")).isZero();
        store.succeeded("a", "home");
        for (int attacker = 0; attacker < 3; attacker++) {
            assertThat(store.acquire("a", "ip-" + attacker)).isZero();
            assertThat(store.acquire("a", "ip-" + attacker)).isZero();
        }

        assertThat(store.acquire("a", "ip-new")).as("six attempts from three addresses lock the account")
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(store.acquire("a", "ip-0")).isEqualTo(Duration.ofSeconds(1));
        assertThat(store.acquire("a", "home")).as("an address the owner signed in from").isZero();
        assertThat(store.acquire("b", "ip-new")).as("other accounts").isZero();
    }

    @Test
    void successClearsThePairButOnlyTakesItsOwnAttemptBackFromTheAddress() {
        LocalThrottleStore store = store(3, 1000, 5);
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
        LocalThrottleStore store = store(3, 3, 3);
        for (int attempt = 0; attempt < 3; attempt++) {
            store.acquire("a", "ip");
        }
        advance(Duration.ofMinutes(16));

        for (int attempt = 0; attempt < 3; attempt++) {
            assertThat(store.acquire("a", "ip")).isZero();
        }
    }

    @Test
    void anIpv6AddressCountsAsItsSlash64AndEmailsAsAccountsStoreThem() {
        assertThat(SignInThrottle.addressKey("2001:db8:1:2:aaaa::1"))
                .isEqualTo(SignInThrottle.addressKey("2001:db8:1:2:bbbb::2"))
                .isNotEqualTo(SignInThrottle.addressKey("2001:db8:1:3::1"));
        assertThat(SignInThrottle.addressKey("192.0.2.1")).isNotEqualTo(SignInThrottle.addressKey("192.0.2.2"));
        assertThat(SignInThrottle.accountKey(" Ada@Example.org")).isEqualTo(SignInThrottle.accountKey("ada@example.org"))
                .isEqualTo(SignInThrottle.accountKey("\uFF41\uFF44\uFF41\uFF20example.org"))
                .isEqualTo(SignInThrottle.accountKey("ada@example.org\u00A0"))
                .doesNotContain("ada");
    }

    private LocalThrottleStore store(int accountFree, int accountWideFree, int addressFree) {
        return new LocalThrottleStore(new SignInThrottleProperties(accountFree, accountWideFree, addressFree,
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(15), Duration.ofDays(30)), nanos::get);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
