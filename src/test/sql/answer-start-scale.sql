-- The data the answer-start measure in docs/benchmarks.md runs on (a shortcut: written here, not through the API,
-- to reach sizes the API would take hours to build; the statistics are PostgreSQL's own, after ANALYZE):
-- an owner with :chats chats of one question each, the newest of them the one answered
-- (chat 00000000-0000-4000-8000-0000000000c1, question ...0a1), and :in_progress answers in progress in chats of 200
-- other users, saved an hour ahead so that they count as alive (within interrupted-after) for the next hour. Run once on a freshly migrated, empty database:
--   psql -v chats=10000 -v in_progress=2000 -f src/test/sql/answer-start-scale.sql <database>
insert into users (id, email, name, password_hash, role)
values ('00000000-0000-4000-8000-000000000001', 'owner@bench.test', 'Owner', 'x', 'user');
insert into users (id, email, name, password_hash, role)
select gen_random_uuid(), 'other' || g || '@bench.test', 'Other', 'x', 'user' from generate_series(1, 200) g;

with c as (
    insert into chats (id, owner_user_id, title, message_count, updated_at)
    select gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'older', 1,
           now() - interval '1 day' - random() * interval '300 days'
    from generate_series(1, :chats - 1)
    returning id)
insert into chat_messages (id, chat_id, role, content) select gen_random_uuid(), c.id, 'user', 'Hello?' from c;
insert into chats (id, owner_user_id, title, message_count)
values ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001', 'answered', 1);
insert into chat_messages (id, chat_id, role, content)
values ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'user', 'Hello?');

with others as (select id, row_number() over () - 1 as n from users
                where id <> '00000000-0000-4000-8000-000000000001'),
c as (
    insert into chats (id, owner_user_id, title, message_count)
    select gen_random_uuid(), o.id, 'elsewhere', 2
    from generate_series(1, :in_progress) g join others o on o.n = g % 200
    returning id),
q as (
    insert into chat_messages (id, chat_id, role, content)
    select gen_random_uuid(), c.id, 'user', 'Hello?' from c
    returning id, chat_id)
insert into chat_messages (id, chat_id, parent_id, role, content, status, model, connection, updated_at)
select gen_random_uuid(), q.chat_id, q.id, 'assistant', '', 'in_progress', 'm', 'c', now() + interval '1 hour' from q;

analyze users;
analyze chats;
analyze chat_messages;
