package org.atrium.providers;

import java.time.Duration;

/**
 * How chat calls recover from a failing provider: retries before the answer starts and a circuit breaker per
 * connection.
 *
 * @param maxAttempts        attempts per call including the first; only 429, 5xx, connection failures and timeouts
 *                           before any output reached the listener are retried
 * @param initialBackoff     wait before the second attempt, doubling with jitter
 * @param maxBackoff         longest wait between attempts, also the cap on a provider's {@code Retry-After}
 * @param failureRate        percentage of failed calls (5xx, unreachable, timed out, dropped) among the last
 *                           {@code window} that opens the breaker
 * @param window             how many recent calls the failure rate is measured over
 * @param minimumCalls       calls needed before the rate counts
 * @param openFor            how long an open breaker refuses calls before letting a few through to test
 * @param halfOpenCalls      test calls let through after {@code openFor}
 */
public record ChatResilience(int maxAttempts, Duration initialBackoff, Duration maxBackoff, float failureRate,
                             int window, int minimumCalls, Duration openFor, int halfOpenCalls) {

    /** 3 attempts, 500 ms to 10 s backoff; the breaker opens at 50 % of the last 20 calls (10 at least) for 30 s. */
    public static final ChatResilience DEFAULTS = new ChatResilience(3, Duration.ofMillis(500), Duration.ofSeconds(10),
            50, 20, 10, Duration.ofSeconds(30), 2);

    /** Refuses values that would make calls never happen or the breaker meaningless. */
    public ChatResilience {
        if (maxAttempts < 1 || window < 1 || minimumCalls < 1 || halfOpenCalls < 1) {
            throw new IllegalArgumentException("attempts, window, minimum calls and half-open calls must be positive");
        }
        if (failureRate <= 0 || failureRate > 100) {
            throw new IllegalArgumentException("the failure rate is a percentage above 0");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || openFor.isNegative()
                || openFor.isZero()) {
            throw new IllegalArgumentException("backoffs must be ordered and the open duration positive");
        }
    }
}
