package org.atrium.providers;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one call to a provider may take, phase by phase. Every value is positive.
 *
 * @param connect    to open the TCP/TLS connection
 * @param firstToken from sending the request to the first event that carries output (text or a tool call); covers
 *                   a provider that accepts the request and then thinks, queues or hangs
 * @param idle       longest silence between two chunks once the stream has started (a stall mid-stream)
 * @param total      the whole call, retries and their waits included
 */
public record CallTimeouts(Duration connect, Duration firstToken, Duration idle, Duration total) {

    /** 5 s to connect, 60 s to the first token, 30 s between chunks, 10 min in all. */
    public static final CallTimeouts DEFAULTS = new CallTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofMinutes(10));

    /** Refuses null, zero and negative durations, which would make a call hang or never start. */
    public CallTimeouts {
        positive(connect, "connect");
        positive(firstToken, "firstToken");
        positive(idle, "idle");
        positive(total, "total");
    }

    private static void positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("The " + name + " timeout must be positive");
        }
    }
}
