-- Idempotency keys of uploads: a client that lost the answer to an upload sends it again with the same
-- Idempotency-Key header and gets the file stored the first time instead of a second copy. A key belongs to the user
-- who sent it and is honoured for a day (UploadIdempotency.WINDOW); the reconciler removes expired keys, and every
-- key goes with its user. file_id has no foreign key: the file may be deleted later, and
-- a replay then answers that it is gone instead of storing it again.
create table upload_idempotency_keys (
    user_id       uuid        not null references users (id) on delete cascade,
    key           text        not null,
    collection_id uuid        not null,
    sha256        text        not null,
    file_id       uuid        not null,
    created_at    timestamptz not null default now(),
    primary key (user_id, key)
);

