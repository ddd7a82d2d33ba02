-- Token usage, aggregated: one row per UTC hour, user, charged group, model and connection, upserted in batches by
-- each replica's usage buffer (see docs/chat.md, "Usage and quotas"). Counts only: no prompt, no answer.
--
-- No foreign keys on purpose: usage is accounting history. A batch flushed after its user or group was deleted must
-- not fail (and lose the rest of the batch), and deleting an account must not rewrite past totals; reports show such
-- rows with their ids and no name. group_id is the nil UUID when the usage is charged to no group, so that it can be
-- part of the primary key the upsert needs.

create table usage_hourly (
    hour               timestamptz not null,
    user_id            uuid        not null,
    group_id           uuid        not null,
    model              text        not null,
    connection         text        not null,
    requests           bigint      not null,
    input_tokens       bigint      not null,
    output_tokens      bigint      not null,
    estimated_requests bigint      not null,
    failed_requests    bigint      not null,
    stopped_requests   bigint      not null,
    primary key (hour, user_id, group_id, model, connection)
);
-- Today's tokens of one user (the quota's fallback and seed) and a group admin's report.
create index usage_hourly_user_hour_idx on usage_hourly (user_id, hour);
create index usage_hourly_group_hour_idx on usage_hourly (group_id, hour);
