-- Knowledge collections and who may read or write them. A collection belongs to one user or one group.

create table collections (
    id             uuid primary key,
    name           text        not null,
    description    text        not null default '',
    owner_user_id  uuid references users (id) on delete cascade,
    owner_group_id uuid references groups (id) on delete cascade,
    created_by     uuid references users (id) on delete set null,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    check ((owner_user_id is null) <> (owner_group_id is null))
);
create index collections_owner_user_idx on collections (owner_user_id);
create index collections_owner_group_idx on collections (owner_group_id);

-- Explicit grants to a user or a group, with read or write access.
create table collection_grants (
    collection_id    uuid not null references collections (id) on delete cascade,
    grantee_user_id  uuid references users (id) on delete cascade,
    grantee_group_id uuid references groups (id) on delete cascade,
    access           text not null check (access in ('read', 'write')),
    check ((grantee_user_id is null) <> (grantee_group_id is null))
);
create unique index collection_grants_user_key on collection_grants (collection_id, grantee_user_id)
    where grantee_user_id is not null;
create unique index collection_grants_group_key on collection_grants (collection_id, grantee_group_id)
    where grantee_group_id is not null;
create index collection_grants_user_idx on collection_grants (grantee_user_id);
create index collection_grants_group_idx on collection_grants (grantee_group_id);
