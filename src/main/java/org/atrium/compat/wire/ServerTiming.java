package org.atrium.compat.wire;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code Server-Timing} header of a proxied call: {@code atrium} is Atrium's own time (from the request's arrival,
 * authentication included, to the provider call, plus what follows the provider's answer), {@code upstream} the
 * provider's (to its first output when streaming, its whole answer otherwise).
 */
public final class ServerTiming {

    /** The header's name. */
    public static final String HEADER = "Server-Timing";
    /** The request attribute holding {@link System#nanoTime()} at the request's arrival. */
    public static final String ARRIVED = ServerTiming.class.getName() + ".arrived";

    private final long arrived;
    // Written by the call's thread and by the request's: volatile, though one event at a time touches them.
    private volatile long upstreamStarted;
    private volatile long firstOutput;
    private volatile long upstreamNanos = -1;

    private ServerTiming(long arrived) {
        this.arrived = arrived;
    }

    /** @return timing from the request's arrival, as {@link CompatErrorFilter} recorded it (else from now) */
    public static ServerTiming of(HttpServletRequest request) {
        return new ServerTiming(request.getAttribute(ARRIVED) instanceof Long nanos ? nanos : System.nanoTime());
    }

    /** The provider call starts now. */
    public void upstreamStarting() {
        upstreamStarted = System.nanoTime();
    }

    /** The first byte of the answer leaves now (streaming). */
    public void firstOutput() {
        if (firstOutput == 0) {
            firstOutput = System.nanoTime();
        }
    }

    /** @param whole the provider's whole call (not streaming) */
    public void upstream(Duration whole) {
        upstreamNanos = whole.toNanos();
    }

    /** @return the header's value */
    public String header() {
        long now = System.nanoTime();
        long started = upstreamStarted == 0 ? now : upstreamStarted;
        long upstream = upstreamNanos >= 0 ? upstreamNanos
                : (firstOutput == 0 ? now : firstOutput) - started;
        long own = upstreamNanos >= 0 ? Math.max(0, now - arrived - upstreamNanos) : started - arrived;
        return String.format(Locale.ROOT, "atrium;dur=%.3f;desc=\"Atrium\", upstream;dur=%.3f;desc=\"provider\"",
                own / 1e6, upstream / 1e6);
    }
}
