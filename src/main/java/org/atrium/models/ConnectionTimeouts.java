package org.atrium.models;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Duration;

/**
 * How long calls through a connection may take, phase by phase, in milliseconds.
 *
 * @param connectMs    to open the TCP/TLS connection (100 to 60,000)
 * @param firstTokenMs from sending a request to the first output (100 to 600,000)
 * @param idleMs       longest silence between two chunks of a stream (100 to 600,000)
 * @param totalMs      the whole call (1,000 to 3,600,000)
 */
@Schema(description = "Call timeouts in milliseconds.")
public record ConnectionTimeouts(
        @Schema(example = "5000") int connectMs,
        @Schema(example = "60000") int firstTokenMs,
        @Schema(example = "30000") int idleMs,
        @Schema(example = "600000") int totalMs) {

    /** 5 s to connect, 60 s to the first token, 30 s between chunks, 10 min in all. */
    public static final ConnectionTimeouts DEFAULTS = new ConnectionTimeouts(5_000, 60_000, 30_000, 600_000);

    /** Bounds, so that no connection can hold a call (and its thread and slot) for hours. */
    public static final int MIN_MS = 100;
    /** Longest connect timeout. */
    public static final int MAX_CONNECT_MS = 60_000;
    /** Longest first-token and idle timeouts. */
    public static final int MAX_PHASE_MS = 600_000;
    /** Shortest total timeout. */
    public static final int MIN_TOTAL_MS = 1_000;
    /** Longest total timeout. */
    public static final int MAX_TOTAL_MS = 3_600_000;

    /** @return the connect timeout */
    public Duration connect() {
        return Duration.ofMillis(connectMs);
    }

    /** @return the first-token timeout */
    public Duration firstToken() {
        return Duration.ofMillis(firstTokenMs);
    }

    /** @return the idle timeout */
    public Duration idle() {
        return Duration.ofMillis(idleMs);
    }

    /** @return the total timeout */
    public Duration total() {
        return Duration.ofMillis(totalMs);
    }
}
