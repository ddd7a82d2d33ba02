package org.atrium.chat.web;

import org.atrium.chat.UsageQuery;
import org.atrium.platform.AtriumException;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;

/** Turns a report's query parameters into a {@link UsageQuery}, naming the parameter at fault. */
final class UsageParameters {

    private UsageParameters() {
    }

    static UsageQuery query(@Nullable String from, @Nullable String to, String granularity, String groupBy,
                            int offset, int limit) {
        UsageQuery.Granularity unit = choice(UsageQuery.Granularity.class, "granularity", granularity);
        UsageQuery.Dimension dimension = choice(UsageQuery.Dimension.class, "groupBy", groupBy);
        Instant end = to == null ? Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1))
                : instant("to", to);
        Instant start = from == null
                ? end.minus(unit == UsageQuery.Granularity.DAY ? Duration.ofDays(7) : Duration.ofHours(24))
                : instant("from", from);
        return new UsageQuery(start, end, unit, dimension, offset, limit);
    }

    /** {@code format} decides when given; otherwise CSV only when {@code Accept} names it. */
    static boolean wantsCsv(@Nullable String format, @Nullable String accept) {
        if (format != null) {
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "csv" -> true;
                case "json" -> false;
                default -> throw AtriumException.invalidField("format", "format is json or csv.");
            };
        }
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv");
    }

    private static Instant instant(String name, String value) {
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException notATime) {
            throw AtriumException.invalidField(name, name + " is an ISO-8601 instant (2026-12-01T00:00:00Z) or a"
                    + " date (2026-12-01).");
        }
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String name, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw AtriumException.invalidField(name, name + " must be one of "
                + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT))
                        .toList() + ".");
    }
}
