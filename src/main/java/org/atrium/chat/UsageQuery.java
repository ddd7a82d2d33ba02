package org.atrium.chat;

import java.time.Instant;

/**
 * A usage report's period, buckets, dimension and page. Periods are half-open ({@code from} included, {@code to}
 * excluded) and counted in whole UTC hours (an hour is in the period when it starts in it); buckets are UTC days or
 * hours.
 *
 * @param from        start of the period
 * @param to          end of the period, after {@code from}; at most {@link #MAX_DAYS_BY_DAY} days later by day,
 *                    {@link #MAX_DAYS_BY_HOUR} by hour
 * @param granularity the buckets
 * @param groupBy     the dimension each row is for
 * @param offset      rows to skip
 * @param limit       rows per page, 1 to {@link org.atrium.platform.Page#MAX_LIMIT}
 */
public record UsageQuery(Instant from, Instant to, Granularity granularity, Dimension groupBy, int offset,
                         int limit) {

    /** Longest period by day. */
    public static final int MAX_DAYS_BY_DAY = 366;
    /** Longest period by hour. */
    public static final int MAX_DAYS_BY_HOUR = 31;

    /** Bucket size. */
    public enum Granularity {
        /** UTC days. */
        DAY,
        /** UTC hours. */
        HOUR
    }

    /** What a row is for. */
    public enum Dimension {
        /** One row per user (and bucket). */
        USER,
        /** Per charged group; usage charged to no group has no group id. */
        GROUP,
        /** Per model id. */
        MODEL,
        /** Per connection name. */
        CONNECTION
    }
}
