package org.atrium.providers.internal;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void waitsGrowExponentiallyWithJitterUpToTheCap() {
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.delay(1, null)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
            assertThat(backoff.delay(3, null)).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
            assertThat(backoff.delay(10, null)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
            assertThat(backoff.delay(1000, null)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
        }
    }

    @Test
    void theProvidersWaitWinsButIsCapped() {
        assertThat(backoff.delay(1, Duration.ZERO)).isZero();
        assertThat(backoff.delay(4, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(1, Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void retryAfterIsReadAsSecondsAsADateOrInMilliseconds() {
        assertThat(Backoff.retryAfter(headers(Map.of("Retry-After", "7")), clock)).isEqualTo(Duration.ofSeconds(7));
        assertThat(Backoff.retryAfter(headers(Map.of("Retry-After", "Thu, 01 Jan 2026 00:00:12 GMT")), clock))
                .isEqualTo(Duration.ofSeconds(12));
        assertThat(Backoff.retryAfter(headers(Map.of("retry-after-ms", "1500", "Retry-After", "2")), clock))
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(Backoff.retryAfter(headers(Map.of("Retry-After", "-3")), clock)).isZero();
        assertThat(Backoff.retryAfter(headers(Map.of("Retry-After", "soon")), clock)).isNull();
        assertThat(Backoff.retryAfter(headers(Map.of()), clock)).isNull();
    }

    private static Backoff.Headers headers(Map<String, String> values) {
        Map<String, String> anyCase = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        anyCase.putAll(values);
        return anyCase::get;
    }
}
