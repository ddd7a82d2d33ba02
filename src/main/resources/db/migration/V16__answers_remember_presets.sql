-- The preset an answer was asked of, so that regenerating it without naming a model goes through the preset again
-- (its system prompt, knowledge and fallback models), not through its base model alone. Deleting the preset keeps the
-- answer (naming the model that made it) and forgets the link.
alter table chat_messages add column preset_id uuid references presets (id) on delete set null;
-- Deleting a preset finds the answers that name it through this index instead of reading every message.
create index chat_messages_preset_idx on chat_messages (preset_id) where preset_id is not null;
