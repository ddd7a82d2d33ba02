package org.atrium.providers.internal;

import org.jspecify.annotations.Nullable;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt: exponential from {@code initial}, capped at {@code max}, with jitter so
 * that many callers throttled at the same moment do not come back at the same moment. A provider's own
 * {@code Retry-After} wins when present, still capped at {@code max} so one answer cannot park a job for an hour.
 *
 * @param initial wait after the first failed attempt
 * @param max     longest wait
 */
public record Backoff(Duration initial, Duration max) {

    /**
     * @param failedAttempts how many attempts have failed so far (1 after the first)
     * @param retryAfter     what the provider asked for, if anything
     * @return the wait before the next attempt
     */
    public Duration delay(int failedAttempts, @Nullable Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(max) > 0 ? max : retryAfter;
        }
        // The shift is bounded so that a large attempt count cannot overflow into a negative wait.
        long exponential = initial.toMillis() << Math.min(Math.max(failedAttempts - 1, 0), 20);
        long ceiling = Math.max(1, Math.min(max.toMillis(), exponential));
        // "Equal jitter": at least half the exponential wait (so backing off still backs off), at most all of it.
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }

    /**
     * Reads the wait a provider asked for: {@code retry-after-ms} (Azure OpenAI and some gateways), else
     * {@code Retry-After} in seconds or as an HTTP date.
     *
     * @param headers the response's headers
     * @param clock   the clock an HTTP date is measured against
     * @return the wait, never negative; null when absent or unreadable
     */
    public static @Nullable Duration retryAfter(Headers headers, Clock clock) {
        String millis = headers.first("retry-after-ms");
        if (millis != null) {
            try {
                return nonNegative(Duration.ofMillis((long) Double.parseDouble(millis.strip())));
            } catch (NumberFormatException unreadable) {
                // fall through to Retry-After
            }
        }
        String found = headers.first("retry-after");
        String value = found == null ? null : found.strip();
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return nonNegative(Duration.ofSeconds(Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                return nonNegative(Duration.between(clock.instant(), at.toInstant()));
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /** A response's headers, looked up by name in any case. */
    @FunctionalInterface
    public interface Headers {

        /**
         * @param name the header's name
         * @return its first value, or null when absent
         */
        @Nullable String first(String name);
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }
}
