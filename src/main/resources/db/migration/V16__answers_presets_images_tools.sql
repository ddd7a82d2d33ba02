-- The preset an answer was asked of, so that regenerating it without naming a model goes through the preset again
-- (its system prompt, knowledge and fallback models), not through its base model alone. Deleting the preset keeps the
-- answer (naming the model that made it) and forgets the link.
alter table chat_messages add column preset_id uuid references presets (id) on delete set null;
-- Deleting a preset finds the answers that name it through this index instead of reading every message.
create index chat_messages_preset_idx on chat_messages (preset_id) where preset_id is not null;

-- Images and tools through the native chat endpoints. A question may carry images (data: or http(s) URLs, as the
-- providers take them); an answer records the tools it was offered (so that a regeneration offers them again) and the
-- calls it made; a tool message carries the result of one call, naming it.
alter table chat_messages
    add column images       jsonb,
    add column tools        jsonb,
    add column tool_calls   jsonb,
    add column tool_call_id text,
    add column tool_name    text;
alter table chat_messages drop constraint chat_messages_role_check;
alter table chat_messages add constraint chat_messages_role_check
    check (role in ('user', 'assistant', 'system', 'tool'));
alter table chat_messages add constraint chat_messages_tool_result_check
    check ((role = 'tool') = (tool_call_id is not null and tool_name is not null));
