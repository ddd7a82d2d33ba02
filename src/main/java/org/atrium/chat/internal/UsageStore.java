package org.atrium.chat.internal;

import org.atrium.chat.UsageQuery;
import org.atrium.chat.UsageRow;
import org.atrium.platform.Page;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** SQL over {@code usage_hourly} (V12): the buffer's upserts, the quota's seed, the reports. */
final class UsageStore {

    private static final String UPSERT = """
            insert into usage_hourly (hour, user_id, group_id, model, connection, requests, input_tokens,
                                      output_tokens, estimated_requests, failed_requests, stopped_requests)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (hour, user_id, group_id, model, connection) do update set
                requests = usage_hourly.requests + excluded.requests,
                input_tokens = usage_hourly.input_tokens + excluded.input_tokens,
                output_tokens = usage_hourly.output_tokens + excluded.output_tokens,
                estimated_requests = usage_hourly.estimated_requests + excluded.estimated_requests,
                failed_requests = usage_hourly.failed_requests + excluded.failed_requests,
                stopped_requests = usage_hourly.stopped_requests + excluded.stopped_requests
            """;

    private final JdbcTemplate jdbcTemplate;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    UsageStore(JdbcTemplate jdbcTemplate, JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbcTemplate = jdbcTemplate;
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    /**
     * Adds a batch to the totals, in one transaction of one batched statement, so a
     * failure adds nothing and the batch can be offered again. Keys are written in a fixed order, so two replicas
     * flushing overlapping keys cannot deadlock.
     */
    void add(Map<UsageKey, UsageCounts> batch) {
        List<Object[]> rows = new ArrayList<>(batch.size());
        batch.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(UsageKey::hour)
                        .thenComparing(UsageKey::userId).thenComparing(UsageKey::groupId)
                        .thenComparing(UsageKey::model).thenComparing(UsageKey::connection)))
                .forEach(entry -> {
                    UsageKey key = entry.getKey();
                    UsageCounts counts = entry.getValue();
                    rows.add(new Object[] {Timestamp.from(key.hour()), key.userId(), key.groupId(), key.model(),
                            key.connection(), counts.requests, counts.inputTokens, counts.outputTokens,
                            counts.estimated, counts.failed, counts.stopped});
                });
        transactions.executeWithoutResult(status -> jdbcTemplate.batchUpdate(UPSERT, rows));
    }

    /** @return the tokens flushed for a user since an instant (the start of the UTC day) */
    long tokensSince(UUID userId, Instant since) {
        return jdbc.sql("""
                        select coalesce(sum(input_tokens + output_tokens), 0) from usage_hourly
                        where user_id = ? and hour >= ?""")
                .params(userId, Timestamp.from(since)).query(Long.class).single();
    }

    /**
     * @param query   the report
     * @param groupId only usage charged to this group, or every row
     * @return one page, by period then key
     */
    Page<UsageRow> report(UsageQuery query, @Nullable UUID groupId) {
        String key = switch (query.groupBy()) {
            case USER -> "u.user_id::text";
            case GROUP -> "nullif(u.group_id, '00000000-0000-0000-0000-000000000000'::uuid)::text";
            case MODEL -> "u.model";
            case CONNECTION -> "u.connection";
        };
        String label = switch (query.groupBy()) {
            case USER -> "(select email from users where users.id::text = agg.key)";
            case GROUP -> "(select name from groups where groups.id::text = agg.key)";
            case MODEL, CONNECTION -> "null::text";
        };
        String unit = query.granularity() == UsageQuery.Granularity.DAY ? "day" : "hour";
        String filter = groupId == null ? "" : " and u.group_id = :group";
        String aggregate = """
                select date_trunc('%s', u.hour, 'UTC') as period, %s as key, sum(u.requests) as requests,
                       sum(u.input_tokens) as input_tokens, sum(u.output_tokens) as output_tokens,
                       sum(u.estimated_requests) as estimated, sum(u.failed_requests) as failed,
                       sum(u.stopped_requests) as stopped
                from usage_hourly u where u.hour >= :from and u.hour < :to%s
                group by 1, 2""".formatted(unit, key, filter);
        Map<String, Object> params = new HashMap<>();
        params.put("from", Timestamp.from(query.from()));
        params.put("to", Timestamp.from(query.to()));
        if (groupId != null) {
            params.put("group", groupId);
        }
        long total = jdbc.sql("select count(*) from (" + aggregate + ") agg").params(params)
                .query(Long.class).single();
        params.put("offset", query.offset());
        params.put("limit", query.limit());
        List<UsageRow> rows = jdbc.sql("with agg as (" + aggregate + ") select agg.*, " + label
                        + " as label from agg order by period, key nulls first offset :offset limit :limit")
                .params(params)
                .query((rs, n) -> new UsageRow(rs.getTimestamp("period").toInstant(), rs.getString("key"),
                        rs.getString("label"), rs.getLong("requests"), rs.getLong("input_tokens"),
                        rs.getLong("output_tokens"), rs.getLong("input_tokens") + rs.getLong("output_tokens"),
                        rs.getLong("estimated"), rs.getLong("failed"), rs.getLong("stopped")))
                .list();
        return new Page<>(rows, total, query.offset(), query.limit());
    }
}
