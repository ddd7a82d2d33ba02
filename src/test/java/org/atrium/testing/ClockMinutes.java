package org.atrium.testing;

import java.time.Duration;

/**
 * Requests-per-minute quotas count calls per clock minute (Redis's clock, this machine's in tests): a test that makes
 * calls and expects the last ones refused must make them all inside one minute, or the new minute admits them again.
 */
public final class ClockMinutes {

    private ClockMinutes() {
    }

    /**
     * Returns at once when at least {@code needed} is left of the current clock minute, else after the next one
     * starts.
     *
     * @param needed how long the calls that must share a minute may take, at most 50 seconds
     */
    public static void awaitAtLeastLeft(Duration needed) {
        if (needed.toMillis() > 50_000) {
            throw new IllegalArgumentException("a minute cannot be waited for with more than 50 seconds needed");
        }
        long left = 60_000 - System.currentTimeMillis() % 60_000;
        if (left < needed.toMillis()) {
            try {
                Thread.sleep(left + 50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a new minute", interrupted);
            }
        }
    }
}
