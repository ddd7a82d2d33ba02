package org.atrium.testing;

import org.atrium.testing.StalenessChecker.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker finds planted stale reads and accepts every read the promise allows. */
class StalenessCheckerTest {

    @Test
    void aReadThatBeginsAfterAnAcknowledgedWriteAndReturnsTheOlderValueIsAViolation() {
        StalenessChecker checker = new StalenessChecker();
        checker.initial("setting:g", "m-0");
        checker.write("setting:g", "m-1", 10, 20, Outcome.ACKNOWLEDGED, "replica 1");
        checker.write("setting:g", "m-2", 30, 40, Outcome.ACKNOWLEDGED, "replica 1");
        checker.read("setting:g", "m-2", 45, 50, "replica 2");
        checker.read("setting:g", "m-1", 50, 55, "replica 3 (planted stale read)");

        StalenessChecker.Result result = checker.check();

        assertThat(result.readsChecked()).isEqualTo(2);
        assertThat(result.violations()).singleElement().satisfies(violation -> {
            assertThat(violation.read().value()).isEqualTo("m-1");
            assertThat(violation.allowed()).containsExactly("m-2");
            assertThat(violation.supersedes().value()).isEqualTo("m-2");
        });
        assertThat(checker.describe(result.violations().getFirst(), 2))
                .contains("STALE READ of setting:g", "returned 'm-1'", "planted stale read", "write 'm-2'");
    }

    @Test
    void aReadOverlappingAWriteMaySeeEitherValueAndTheInitialValueHoldsUntilTheFirstAcknowledgedWrite() {
        StalenessChecker checker = new StalenessChecker();
        checker.initial("role:u", "user");
        checker.read("role:u", "user", 1, 5, "before any write");
        checker.write("role:u", "admin", 10, 20, Outcome.ACKNOWLEDGED, "promote");
        checker.read("role:u", "user", 12, 18, "during the write");
        checker.read("role:u", "admin", 15, 25, "during the write");
        checker.read("role:u", "user", 19, 30, "began before the acknowledgement");
        checker.read("role:u", "admin", 21, 30, "after");

        assertThat(checker.check().violations()).isEmpty();
        checker.read("role:u", "user", 21, 30, "after, stale");
        assertThat(checker.check().violations()).hasSize(1);
    }

    @Test
    void aWriteOfUnknownOutcomeMayBeSeenOrNotUntilALaterAcknowledgedWrite() {
        StalenessChecker checker = new StalenessChecker();
        checker.initial("key:k", "active");
        checker.write("key:k", "revoked", 10, 20, Outcome.UNKNOWN, "writer died");
        checker.read("key:k", "active", 30, 35, "either");
        checker.read("key:k", "revoked", 36, 40, "either");
        checker.read("key:k", "active", 41, 45, "either, even after seeing the new one");
        assertThat(checker.check().violations()).isEmpty();

        StalenessChecker later = new StalenessChecker();
        later.initial("setting:g", "m-0");
        later.write("setting:g", "m-1", 10, 20, Outcome.UNKNOWN, "503 change_not_confirmed");
        later.write("setting:g", "m-2", 30, 40, Outcome.ACKNOWLEDGED, "replica 1");
        later.read("setting:g", "m-1", 35, 45, "overlaps the acknowledged write: fine");
        later.read("setting:g", "m-1", 50, 55, "after it: stale");
        later.read("setting:g", "m-0", 50, 55, "after it: stale");
        assertThat(later.check().violations()).extracting(v -> v.read().detail())
                .containsExactly("after it: stale", "after it: stale");
    }

    @Test
    void aValueNeverWrittenIsAViolationAndAnUnknownWriteNeverSupersedesAnything() {
        StalenessChecker checker = new StalenessChecker();
        checker.initial("member:u:g", "in");
        checker.write("member:u:g", "out", 10, 20, Outcome.UNKNOWN, "503 cache_unavailable");
        checker.read("member:u:g", "in", 30, 40, "the unknown write may not have happened");
        checker.read("member:u:g", "maybe", 30, 40, "never written");
        checker.read("member:u:g", "out", 5, 8, "before the write began");

        StalenessChecker.Result result = checker.check();

        assertThat(result.readsChecked()).isEqualTo(3);
        assertThat(result.writes()).isEqualTo(1);
        assertThat(result.unknown()).isEqualTo(1);
        assertThat(result.violations()).extracting(v -> v.read().detail())
                .containsExactlyInAnyOrder("never written", "before the write began");
        assertThat(result.summary()).startsWith("checked 3 reads, 2 violations");
    }

    @Test
    void concurrentAcknowledgedWritesMayBeOrderedEitherWay() {
        StalenessChecker checker = new StalenessChecker();
        checker.initial("setting:g", "m-0");
        checker.write("setting:g", "m-1", 10, 30, Outcome.ACKNOWLEDGED, "writer a");
        checker.write("setting:g", "m-2", 20, 40, Outcome.ACKNOWLEDGED, "writer b");
        checker.read("setting:g", "m-1", 50, 60, "a last");
        checker.read("setting:g", "m-2", 50, 60, "b last");
        checker.read("setting:g", "m-0", 50, 60, "stale");

        assertThat(checker.check().violations()).extracting(v -> v.read().detail()).containsExactly("stale");
    }
}
