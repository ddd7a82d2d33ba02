-- Provider connections registered through the API (the configured ones, atrium.providers.connections.*, are not
-- stored). A connection with a group_id belongs to that group: only its members see it, and only the group's
-- credentials and the members' own reach it. Names are unique across all of them, because credentials and settings
-- name connections.
create table connections (
    id                     uuid primary key,
    name                   text        not null,
    kind                   text        not null check (kind in ('openai', 'ollama', 'anthropic', 'gemini')),
    base_url               text        not null,
    group_id               uuid references groups (id) on delete cascade,
    enabled                boolean     not null default true,
    -- Whether an instance admin set the base URL: only then may it reach internal addresses (when the operator
    -- allows them); a group admin's URL never does unless the operator allows that separately.
    url_set_by_admin       boolean     not null,
    -- Extra request headers: the names in clear (to list them), the values as one AES-256-GCM sealed JSON object,
    -- since a gateway's routing header may well be a secret.
    header_names           text[]      not null default '{}',
    headers_key_id         text,
    headers_nonce          bytea,
    headers_ciphertext     bytea,
    connect_timeout_ms     integer     not null,
    first_token_timeout_ms integer     not null,
    idle_timeout_ms        integer     not null,
    total_timeout_ms       integer     not null,
    -- Raised by every change; cached model lists of an older revision are not shown.
    revision               bigint      not null default 1,
    created_by             uuid references users (id) on delete set null,
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    check ((headers_ciphertext is null) = (headers_key_id is null))
);
create unique index connections_name_key on connections (name);
create index connections_group_id_idx on connections (group_id);
