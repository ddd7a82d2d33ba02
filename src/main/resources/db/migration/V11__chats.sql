-- Chats: conversations of one user, whose messages form a tree (editing a question or regenerating an answer adds a
-- sibling), and the knowledge each message grounds on (links only: a chat never owns a collection or a file).

create table chats (
    id            uuid primary key,
    owner_user_id uuid        not null references users (id) on delete cascade,
    title         text        not null default '',
    pinned        boolean     not null default false,
    archived      boolean     not null default false,
    -- The tip of the branch being shown (set once the chat has a message; see the foreign key below).
    current_message_id uuid,
    -- Counted under the chat's row lock, so that the bound on messages per chat holds under concurrency.
    message_count integer     not null default 0,
    created_at    timestamptz not null default now(),
    -- The last change of content (a message added, an answer written, the title): what listings sort by. Pinning,
    -- archiving and choosing a branch do not move a chat in the list.
    updated_at    timestamptz not null default now(),
    -- The title's lexemes for search: full text in the 'simple' configuration (no stemming, any language; see
    -- docs/chat.md). Stored, so that a search reads them instead of parsing every title of the owner's again.
    title_terms   tsvector generated always as (to_tsvector('simple', title)) stored
);
-- A user's listing: archived or not, pinned first, most recently updated first (the index is read backwards). A search
-- narrows to the owner's chats with it too, then matches titles and looks messages up in their GIN index.
create index chats_listing_idx on chats (owner_user_id, archived, pinned, updated_at, id);

create table chat_messages (
    id              uuid primary key,
    chat_id         uuid        not null references chats (id) on delete cascade,
    -- The message this one follows; null for a first message. Siblings share a parent.
    parent_id       uuid,
    role            text        not null check (role in ('user', 'assistant', 'system')),
    content         text        not null default '',
    status          text        not null default 'complete'
                                check (status in ('in_progress', 'complete', 'stopped', 'failed')),
    -- Assistant messages: how the answer was made and how it went.
    model           text,
    connection      text,
    parameters      jsonb,
    citations       jsonb,
    input_tokens    integer,
    output_tokens   integer,
    tokens_estimated boolean,
    ttft_ms         integer,
    duration_ms     integer,
    failure_code    text,
    failure_reason  text,
    -- Lexemes for search, written when the content is final (a user message at once, an answer when it ends), so that
    -- appending to an answer in progress never recomputes them.
    terms           tsvector,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    unique (chat_id, id),
    -- A parent is a message of the same chat.
    foreign key (chat_id, parent_id) references chat_messages (chat_id, id) on delete cascade,
    check (role = 'assistant' or status = 'complete'),
    check (status = 'failed' or failure_code is null)
);
create index chat_messages_chat_idx on chat_messages (chat_id, parent_id, created_at);
create index chat_messages_terms_idx on chat_messages using gin (terms);

alter table chats add foreign key (current_message_id) references chat_messages (id) on delete set null;

-- What a message grounds on: a collection or a file. Deleting the collection or the file removes the link (the chat
-- and the message stay); deleting the message or its chat removes the link and never the collection or the file.
create table chat_message_attachments (
    message_id    uuid not null references chat_messages (id) on delete cascade,
    collection_id uuid references collections (id) on delete cascade,
    file_id       uuid references files (id) on delete cascade,
    check ((collection_id is null) <> (file_id is null))
);
create unique index chat_message_attachments_collection_key on chat_message_attachments (message_id, collection_id)
    where collection_id is not null;
create unique index chat_message_attachments_file_key on chat_message_attachments (message_id, file_id)
    where file_id is not null;
create index chat_message_attachments_collection_idx on chat_message_attachments (collection_id);
create index chat_message_attachments_file_idx on chat_message_attachments (file_id);
