-- Accounts: users, sessions, personal API keys, groups and memberships.
-- Secrets are never stored: session tokens and API keys are kept as SHA-256 digests.

create table users (
    id            uuid primary key,
    email         text        not null,
    name          text        not null,
    password_hash text        not null,
    role          text        not null check (role in ('pending', 'user', 'admin')),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table sessions (
    id         uuid primary key,
    token_hash bytea       not null unique,
    user_id    uuid        not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
);
create index sessions_user_id_idx on sessions (user_id);

create table api_keys (
    id         uuid primary key,
    user_id    uuid        not null references users (id) on delete cascade,
    name       text        not null,
    token_hash bytea       not null unique,
    last_four  text        not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz
);
create index api_keys_user_id_idx on api_keys (user_id);

create table groups (
    id          uuid primary key,
    name        text        not null,
    description text        not null default '',
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create unique index groups_name_key on groups (lower(name));

create table group_members (
    group_id  uuid        not null references groups (id) on delete cascade,
    user_id   uuid        not null references users (id) on delete cascade,
    role      text        not null check (role in ('member', 'admin')),
    joined_at timestamptz not null default now(),
    primary key (group_id, user_id)
);
create index group_members_user_id_idx on group_members (user_id);
