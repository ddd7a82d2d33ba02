-- Inherited settings, encrypted provider credentials, and the versions behind the never-stale cache.

-- Higher priority wins when a member's groups set the same single-valued setting (see docs/settings.md).
alter table groups add column priority integer not null default 0;

-- One settings layer each: a JSON object of setting keys (see SettingKey) to values; absent keys are not set.
create table instance_settings (
    id         boolean primary key default true check (id),
    settings   jsonb       not null default '{}',
    updated_at timestamptz not null default now()
);
insert into instance_settings (id) values (true);

create table group_settings (
    group_id   uuid primary key references groups (id) on delete cascade,
    settings   jsonb       not null default '{}',
    updated_at timestamptz not null default now()
);

create table user_settings (
    user_id    uuid primary key references users (id) on delete cascade,
    settings   jsonb       not null default '{}',
    updated_at timestamptz not null default now()
);

-- Provider API keys and virtual keys, AES-256-GCM encrypted; key_id names the key that encrypted the row.
-- secret_prefix (a conventional prefix such as 'sk-') and last_four are kept in clear only to show the secret masked.
create table credentials (
    id              uuid primary key,
    scope           text        not null check (scope in ('instance', 'group', 'user')),
    group_id        uuid references groups (id) on delete cascade,
    user_id         uuid references users (id) on delete cascade,
    connection      text        not null,
    kind            text        not null check (kind in ('api_key', 'virtual_key')),
    name            text        not null,
    key_id          text        not null,
    nonce           bytea       not null,
    ciphertext      bytea       not null,
    secret_prefix   text        not null default '',
    last_four       text        not null,
    shared_with_all boolean     not null default false,
    created_at      timestamptz not null default now(),
    check ((scope = 'instance' and group_id is null and user_id is null)
        or (scope = 'group' and group_id is not null and user_id is null)
        or (scope = 'user' and user_id is not null and group_id is null))
);
create index credentials_group_id_idx on credentials (group_id);
-- A group or a user has at most one credential per connection; the instance may share several, with different groups.
create unique index credentials_owner_connection_key on credentials (coalesce(group_id, user_id), connection)
    where scope <> 'instance';
create index credentials_user_id_idx on credentials (user_id);

-- Instance credentials reach a group's members only when an instance admin shares them (or shares with all).
create table credential_shares (
    credential_id uuid not null references credentials (id) on delete cascade,
    group_id      uuid not null references groups (id) on delete cascade,
    primary key (credential_id, group_id)
);
create index credential_shares_group_id_idx on credential_shares (group_id);

-- The authoritative version of each cache scope ('i', 'u:<user id>', 'g:<group id>'), raised in the same
-- transaction as every change to what the scope covers. See docs/consistency.md.
create sequence cache_version_seq;
create table cache_versions (
    scope      text primary key,
    version    bigint      not null,
    updated_at timestamptz not null default now()
);
create index cache_versions_updated_at_idx on cache_versions (updated_at);
