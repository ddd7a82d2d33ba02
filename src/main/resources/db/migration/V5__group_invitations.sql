-- Group invitations: a group admin (or an instance admin) invites a user; the membership exists only once the
-- invited user accepts. An invitation goes with its group and with either account (the invitee's, or the inviter's
-- reference is cleared). Nothing else refers to invitations, so no trigger and no audit check concerns them.

create table group_invitations (
    id         uuid primary key,
    group_id   uuid        not null references groups (id) on delete cascade,
    user_id    uuid        not null references users (id) on delete cascade,
    role       text        not null check (role in ('member', 'admin')),
    invited_by uuid        references users (id) on delete set null,
    created_at timestamptz not null default now(),
    unique (group_id, user_id)
);
create index group_invitations_user_id_idx on group_invitations (user_id);
create index group_invitations_invited_by_idx on group_invitations (invited_by);
