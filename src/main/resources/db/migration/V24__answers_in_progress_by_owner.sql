-- The count of the owner's answers in progress, which every start makes under the owner's lock, joined the answers
-- in progress on the whole instance to the owner's chats: with many of both PostgreSQL hashed every chat of the owner
-- (6.7 ms per start for an owner with 10,000 chats while 2,000 answers were in progress elsewhere, 0.6 with none;
-- docs/benchmarks.md). An answer in progress now carries its owner, indexed among the answers in progress only, and
-- the count reads the owner's own.
--
-- Expand only: a column no statement of the previous release names, filled here for the answers in progress and from
-- now on by start_answer, which both releases call: replaced with the same arguments, its rows now carry the column
-- too, and the previous release reads them by column name. No foreign key: the message goes with its chat.
alter table chat_messages add column owner_user_id uuid;
update chat_messages m set owner_user_id = c.owner_user_id from chats c
where c.id = m.chat_id and m.status = 'in_progress';
create index chat_messages_owner_in_progress_idx on chat_messages (owner_user_id, updated_at)
    where status = 'in_progress';

create or replace function start_answer(new_answer_id uuid, target_chat_id uuid, owner_id uuid, question_id uuid,
                             alive_seconds float8, max_generating integer, max_messages integer, answer_model text,
                             answer_connection text, answer_parameters jsonb, answer_preset_id uuid,
                             answer_tools jsonb)
    returns table (message chat_messages, depth integer, attached_collections uuid[], attached_files uuid[],
                   refusal text)
    language plpgsql
as $$
declare
    target chats;
    question_role text;
    generating bigint;
    answer chat_messages;
begin
    perform set_config('synchronous_commit', 'off', true);
    perform pg_advisory_xact_lock(hashtextextended('chat.generation:' || owner_id, 0));
    perform from users u where u.id = owner_id for key share;
    if not found then
        return query select null::chat_messages, null::integer, null::uuid[], null::uuid[], 'account_deleted'::text;
        return;
    end if;
    select c.* into target from chats c where c.id = target_chat_id and c.owner_user_id = owner_id
        for no key update;
    if not found then
        return query select null::chat_messages, null::integer, null::uuid[], null::uuid[], 'chat_not_found'::text;
        return;
    end if;
    select q.role into question_role from chat_messages q where q.chat_id = target_chat_id and q.id = question_id;
    if not found then
        return query select null::chat_messages, null::integer, null::uuid[], null::uuid[], 'message_not_found'::text;
        return;
    end if;
    select count(*) into generating from chat_messages m
    where m.owner_user_id = owner_id and m.status = 'in_progress'
      and m.updated_at > clock_timestamp() - make_interval(secs => alive_seconds);
    if generating >= max_generating then
        return query select null::chat_messages, null::integer, null::uuid[], null::uuid[], 'too_many_answers'::text;
        return;
    end if;
    if target.message_count >= max_messages then
        return query select null::chat_messages, null::integer, null::uuid[], null::uuid[], 'chat_full'::text;
        return;
    end if;
    if question_role not in ('user', 'tool') then
        return query select null::chat_messages, null::integer, null::uuid[], null::uuid[], 'not_a_question'::text;
        return;
    end if;

    insert into chat_messages (id, chat_id, parent_id, role, content, status, model, connection, parameters,
                               preset_id, tools, citations, created_at, updated_at, owner_user_id)
    values (new_answer_id, target_chat_id, question_id, 'assistant', '', 'in_progress', answer_model,
            answer_connection, answer_parameters, answer_preset_id, answer_tools, '[]'::jsonb, clock_timestamp(),
            clock_timestamp(), owner_id)
    returning * into answer;
    update chats set message_count = message_count + 1, current_message_id = new_answer_id,
                     updated_at = clock_timestamp()
    where id = target_chat_id;

    return query
        -- The rows travel whole through the recursion: joined back to chat_messages by id, the plan cached while
        -- the table was small scanned all of it (2 ms per start once it had grown, in the chat benchmark).
        with recursive branch as (
            select m as entry, 0 as level from chat_messages m
            where m.chat_id = target_chat_id and m.id = question_id
            union all
            select m, b.level + 1 from chat_messages m join branch b on m.id = (b.entry).parent_id
            where m.chat_id = target_chat_id)
        select b.entry, b.level,
               array(select a.collection_id from chat_message_attachments a
                     where a.message_id = (b.entry).id and a.collection_id is not null order by a.collection_id),
               array(select a.file_id from chat_message_attachments a
                     where a.message_id = (b.entry).id and a.file_id is not null order by a.file_id),
               null::text
        from branch b
        order by b.level desc;
    return query select answer, -1, '{}'::uuid[], '{}'::uuid[], null::text;
end
$$;
