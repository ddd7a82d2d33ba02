-- Presets: named models built from a base model of the catalogue, a system prompt, parameters, default knowledge and
-- fallback models. A preset belongs to one user or one group, as a collection does; deleting the user or the group
-- deletes its presets (the cascades below).
create table presets (
    id              uuid primary key,
    owner_user_id   uuid references users (id) on delete cascade,
    owner_group_id  uuid references groups (id) on delete cascade,
    name            text        not null check (char_length(name) between 1 and 200),
    -- A catalogue id, <connection>/<model>; whether the caller may use it is checked when the preset is used.
    base_model      text        not null check (char_length(base_model) between 1 and 200),
    system_prompt   text        not null default '' check (char_length(system_prompt) <= 20000),
    -- temperature, topP, maxTokens, stop, seed: the fields of an answer's parameters that are set.
    parameters      jsonb       not null default '{}',
    -- Catalogue ids tried in this order when the base model fails before the first byte of an answer.
    fallback_models text[]      not null default '{}' check (cardinality(fallback_models) <= 3),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    check ((owner_user_id is null) <> (owner_group_id is null))
);
create index presets_owner_user_idx on presets (owner_user_id, name);
create index presets_owner_group_idx on presets (owner_group_id, name);

-- A preset's default knowledge: links only. Deleting the collection or the file removes the link (the preset stays);
-- deleting the preset removes its links and never the collection or the file.
create table preset_knowledge (
    preset_id     uuid not null references presets (id) on delete cascade,
    position      integer not null,
    collection_id uuid references collections (id) on delete cascade,
    file_id       uuid references files (id) on delete cascade,
    check ((collection_id is null) <> (file_id is null))
);
create unique index preset_knowledge_collection_key on preset_knowledge (preset_id, collection_id)
    where collection_id is not null;
create unique index preset_knowledge_file_key on preset_knowledge (preset_id, file_id)
    where file_id is not null;
create index preset_knowledge_collection_idx on preset_knowledge (collection_id);
create index preset_knowledge_file_idx on preset_knowledge (file_id);
