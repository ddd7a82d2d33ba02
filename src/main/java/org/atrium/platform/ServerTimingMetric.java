package org.atrium.platform;

/**
 * One metric of a {@code Server-Timing} header, {@code name;dur=<ms>;desc="<description>"}, the duration in
 * milliseconds with three decimals (rounded half up, never negative). Written by hand rather than with
 * {@code String.format}, which showed among the costliest steps of a proxied call.
 */
public final class ServerTimingMetric {

    /** The header's name. */
    public static final String HEADER = "Server-Timing";

    private ServerTimingMetric() {
    }

    /**
     * @param out         the header's value so far (a metric already there is followed by {@code ", "})
     * @param name        the metric's name, a token
     * @param nanos       its duration
     * @param description its description, without quotes
     * @return {@code out}
     */
    public static StringBuilder append(StringBuilder out, String name, long nanos, String description) {
        if (!out.isEmpty()) {
            out.append(", ");
        }
        long micros = (Math.max(0, nanos) + 500) / 1000;
        long fraction = micros % 1000;
        out.append(name).append(";dur=").append(micros / 1000).append('.');
        if (fraction < 100) {
            out.append(fraction < 10 ? "00" : "0");
        }
        return out.append(fraction).append(";desc=\"").append(description).append('"');
    }
}
