-- An answer's start and its end, each in one round trip.
--
-- Starting an answer precedes its first token: the owner's start lock with the account's, then the chat's lock with
-- the question and the count of the owner's answers generating, then the insert that shows the answer and reads the
-- conversation up to the question. Sent from the application as a transaction of three statements, that was four round
-- trips (the three and the commit): 0.56-0.60 ms of a first token added at about 2 ms. In this function the same
-- statements run in the order and under the locks they did, each with a snapshot of its own (a volatile function's
-- statements take a new one in read committed), so the count still sees every start that held the owner's lock before;
-- the caller sends one statement, its own transaction.
--
-- A start refused returns one row whose refusal names why (and nothing is written; the locks end with the statement):
--   account_deleted   the owner's account is gone
--   chat_not_found    the owner has no such chat
--   message_not_found the chat has no such message
--   too_many_answers  the owner has max_generating answers generating (in progress, saved within alive_seconds)
--   chat_full         the chat has max_messages messages
--   not_a_question    the message is neither a user's message nor a tool's result
-- A start made returns the branch up to the question, oldest first (depth counts up from the question), then the
-- answer with depth -1, each with the collections and files attached to it.
--
-- Expand only: new functions; the previous release calls neither.
create function start_answer(new_answer_id uuid, target_chat_id uuid, owner_id uuid, question_id uuid,
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
    select count(*) into generating from chat_messages m join chats oc on oc.id = m.chat_id
    where oc.owner_user_id = owner_id and m.status = 'in_progress'
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
                               preset_id, tools, citations, created_at, updated_at)
    values (new_answer_id, target_chat_id, question_id, 'assistant', '', 'in_progress', answer_model,
            answer_connection, answer_parameters, answer_preset_id, answer_tools, '[]'::jsonb, clock_timestamp(),
            clock_timestamp())
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

-- An answer's end follows its last token and precedes the client's end event: the chat's lock, the last text appended
-- (cut at max_length) with the outcome recorded and the terms computed, the chat's update time, then the answer read
-- back with its attachments. Sent as a transaction of four statements and two reads after it, that was seven round
-- trips. Here each statement takes a snapshot of its own after the chat's lock, so the read returns the answer as
-- whoever ended it first left it. An answer no longer in progress (a stop ended it, say) keeps its first outcome and
-- is returned as it is, with changed false; an answer that does not exist (its chat was deleted) returns no row. The
-- commit waits for the disk as any other chat write.
create function finish_answer(answer_id uuid, last_text text, max_length integer, answer_status text,
                              answer_failure_code text, answer_failure_reason text, answer_input_tokens integer,
                              answer_output_tokens integer, answer_tokens_estimated boolean, answer_ttft_ms integer,
                              answer_duration_ms integer, answer_citations jsonb, answer_tool_calls jsonb)
    returns table (message chat_messages, attached_collections uuid[], attached_files uuid[], changed boolean)
    language plpgsql
as $$
declare
    answer_chat_id uuid;
    ended boolean;
begin
    -- Lock order: the chat before its messages, as a write of its owner takes them.
    select c.id into answer_chat_id from chats c join chat_messages m on m.chat_id = c.id where m.id = answer_id
        for no key update of c;
    if not found then
        return;
    end if;
    update chat_messages
    set content = left(content || coalesce(last_text, ''), max_length), status = answer_status,
        failure_code = answer_failure_code, failure_reason = answer_failure_reason,
        input_tokens = answer_input_tokens, output_tokens = answer_output_tokens,
        tokens_estimated = answer_tokens_estimated, ttft_ms = answer_ttft_ms, duration_ms = answer_duration_ms,
        citations = answer_citations, tool_calls = answer_tool_calls,
        terms = to_tsvector('simple', left(content || coalesce(last_text, ''), max_length)),
        updated_at = clock_timestamp()
    where id = answer_id and status = 'in_progress';
    ended := found;
    if ended then
        update chats set updated_at = clock_timestamp() where id = answer_chat_id;
    end if;
    return query
        select m,
               array(select a.collection_id from chat_message_attachments a
                     where a.message_id = m.id and a.collection_id is not null order by a.collection_id),
               array(select a.file_id from chat_message_attachments a
                     where a.message_id = m.id and a.file_id is not null order by a.file_id),
               ended
        from chat_messages m where m.id = answer_id;
end
$$;
