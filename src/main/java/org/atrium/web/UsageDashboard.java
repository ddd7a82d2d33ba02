package org.atrium.web;

import org.atrium.chat.UsageQuery;
import org.atrium.chat.UsageRow;
import org.jspecify.annotations.Nullable;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A usage report drawn for people: tokens per UTC day for the largest values of one dimension (the chart), and the
 * period's totals per value (the table, which is also the chart's accessible text).
 *
 * @param days      every day of the period, oldest first
 * @param series    the chart's stacks: the {@link #CHARTED} largest values by tokens, then "Everyone else"
 * @param totals    every value with its totals, largest first
 * @param overall   the whole period's totals
 * @param truncated whether the report had more rows than the page reads, so that the figures are incomplete
 */
public record UsageDashboard(List<LocalDate> days, List<Series> series, List<Total> totals, Total overall,
                             boolean truncated) {

    /** Values charted one by one; the rest are stacked together. */
    static final int CHARTED = 8;

    /** Freezes the lists. */
    public UsageDashboard {
        days = List.copyOf(days);
        series = List.copyOf(series);
        totals = List.copyOf(totals);
    }

    /**
     * One stack of the chart.
     *
     * @param label  what it is for
     * @param tokens tokens per day, aligned with {@link UsageDashboard#days()}
     */
    public record Series(String label, List<Long> tokens) {

        /** Freezes the list. */
        public Series {
            tokens = List.copyOf(tokens);
        }
    }

    /**
     * A value's totals over the period.
     *
     * @param label        what it is for: a user's e-mail address, a group's name, a model or a connection
     * @param requests     calls
     * @param inputTokens  prompt tokens
     * @param outputTokens completion tokens
     * @param totalTokens  both
     * @param failed       calls that failed
     */
    public record Total(String label, long requests, long inputTokens, long outputTokens, long totalTokens,
                        long failed) {

        Total plus(UsageRow row) {
            return new Total(label, requests + row.requests(), inputTokens + row.inputTokens(),
                    outputTokens + row.outputTokens(), totalTokens + row.totalTokens(),
                    failed + row.failedRequests());
        }
    }

    /**
     * @param query     the report's period (by day) and dimension
     * @param rows      its rows, every page read
     * @param truncated whether pages were left unread
     * @return the dashboard
     */
    static UsageDashboard of(UsageQuery query, List<UsageRow> rows, boolean truncated) {
        List<LocalDate> days = new ArrayList<>();
        LocalDate last = query.to().minusNanos(1).atZone(ZoneOffset.UTC).toLocalDate();
        for (LocalDate day = query.from().atZone(ZoneOffset.UTC).toLocalDate(); !day.isAfter(last);
             day = day.plusDays(1)) {
            days.add(day);
        }
        Map<String, Total> totals = new LinkedHashMap<>();
        Map<String, long[]> perDay = new LinkedHashMap<>();
        Total overall = new Total("Everyone", 0, 0, 0, 0, 0);
        for (UsageRow row : rows) {
            String label = label(query.groupBy(), row);
            totals.merge(label, new Total(label, 0, 0, 0, 0, 0).plus(row), (a, b) -> a.plus(row));
            int index = days.indexOf(row.period().atZone(ZoneOffset.UTC).toLocalDate());
            if (index >= 0) {
                perDay.computeIfAbsent(label, l -> new long[days.size()])[index] += row.totalTokens();
            }
            overall = overall.plus(row);
        }
        List<Total> ranked = totals.values().stream()
                .sorted(Comparator.comparingLong(Total::totalTokens).reversed().thenComparing(Total::label)).toList();
        List<Series> series = new ArrayList<>();
        long[] rest = new long[days.size()];
        for (int i = 0; i < ranked.size(); i++) {
            long[] tokens = perDay.getOrDefault(ranked.get(i).label(), new long[days.size()]);
            if (i < CHARTED) {
                series.add(new Series(ranked.get(i).label(), boxed(tokens)));
            } else {
                for (int d = 0; d < rest.length; d++) {
                    rest[d] += tokens[d];
                }
            }
        }
        if (ranked.size() > CHARTED) {
            series.add(new Series("Everyone else", boxed(rest)));
        }
        return new UsageDashboard(days, series, ranked, overall, truncated);
    }

    private static String label(UsageQuery.Dimension dimension, UsageRow row) {
        @Nullable String key = row.key();
        if (row.label() != null) {
            return row.label();
        }
        if (key == null) {
            return dimension == UsageQuery.Dimension.GROUP ? "No group" : "Unknown";
        }
        return switch (dimension) {
            case USER -> "Deleted account";
            case GROUP -> "Deleted group";
            case MODEL, CONNECTION -> key;
        };
    }

    private static List<Long> boxed(long[] values) {
        List<Long> boxed = new ArrayList<>(values.length);
        for (long value : values) {
            boxed.add(value);
        }
        return boxed;
    }
}
