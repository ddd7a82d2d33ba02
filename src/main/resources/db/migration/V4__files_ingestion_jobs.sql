-- Files in collections, their chunks and vectors, background jobs, and the outbox of stored bytes to delete.

-- db-scheduler's table (its PostgreSQL DDL): every replica polls it; a picked job whose replica stops sending
-- heartbeats is picked again elsewhere.
create table scheduled_tasks (
    task_name            text                     not null,
    task_instance        text                     not null,
    task_data            bytea,
    execution_time       timestamp with time zone not null,
    picked               boolean                  not null,
    picked_by            text,
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures int,
    last_heartbeat       timestamp with time zone,
    version              bigint                   not null,
    priority             smallint,
    primary key (task_name, task_instance)
);
create index scheduled_tasks_execution_time_idx on scheduled_tasks (execution_time);
create index scheduled_tasks_last_heartbeat_idx on scheduled_tasks (last_heartbeat);
create index scheduled_tasks_priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);

-- One embedding space per (connection, model): vectors of different spaces are never compared.
create table embedding_spaces (
    id         integer generated always as identity primary key,
    connection text        not null,
    model      text        not null,
    dimensions integer check (dimensions > 0),
    created_at timestamptz not null default now(),
    unique (connection, model)
);

-- The space a collection's files are indexed in, from its owner's effective embedding settings; null until those
-- settings first name a model. The serving space is the one retrieval searches: after a model change it stays the old
-- one until every file of the collection settled in the new one, so search keeps working during a re-index. The
-- problem says what an admin must set when embedding cannot run.
alter table collections
    add column space_id               integer references embedding_spaces (id),
    add column serving_space_id       integer references embedding_spaces (id),
    add column embedding_problem_code text,
    add column embedding_problem      text;

-- A stored file. Its bytes live in storage under storage_key (never derived from the client's file name); name is
-- only what the client called it, for display and downloads. A file exists while a collection holds it.
create table files (
    id          uuid primary key,
    name        text        not null,
    media_type  text        not null,
    size_bytes  bigint      not null check (size_bytes >= 0),
    sha256      text        not null,
    storage_key text        not null unique,
    uploaded_by uuid references users (id) on delete set null,
    created_at  timestamptz not null default now()
);
create index files_uploaded_by_idx on files (uploaded_by);

create table collection_files (
    collection_id uuid        not null references collections (id) on delete cascade,
    file_id       uuid        not null references files (id) on delete cascade,
    added_by      uuid references users (id) on delete set null,
    added_at      timestamptz not null default now(),
    primary key (collection_id, file_id)
);
create index collection_files_file_idx on collection_files (file_id);
create index collection_files_added_by_idx on collection_files (added_by);

-- A file's index in one embedding space: its ingestion status and progress. generation changes whenever the index is
-- (re)queued; a job writes only while the generation it started with is current, so nothing is written for a file
-- after it was deleted or re-queued.
create sequence file_index_generations;
create table file_indexes (
    file_id        uuid        not null references files (id) on delete cascade,
    space_id       integer     not null references embedding_spaces (id),
    generation     bigint      not null,
    status         text        not null check (status in ('queued', 'extracting', 'embedding', 'ready', 'failed')),
    chunks_done    integer     not null default 0,
    chunks_total   integer,
    failure_code   text,
    failure_reason text,
    credential_id  uuid,
    updated_at     timestamptz not null default now(),
    primary key (file_id, space_id)
);
create index file_indexes_space_status_idx on file_indexes (space_id, status);

-- Chunks are keyed by file, space and position, so a job that runs twice overwrites instead of duplicating. The
-- vector column is pgvector's type where the server has the extension (so rows and vectors are deleted in one
-- transaction and searched with HNSW), a real[] otherwise (searched by the in-process index).
do $$
declare
    vector_type text := 'real[]';
begin
    if exists (select 1 from pg_available_extensions where name = 'vector') then
        begin
            create extension if not exists vector;
        exception when insufficient_privilege then
            raise notice 'pgvector is available but this role may not create it; using the in-process index';
        end;
    end if;
    if exists (select 1 from pg_extension where extname = 'vector') then
        vector_type := 'vector';
    end if;
    execute format($ddl$
        create table chunks (
            file_id     uuid    not null,
            space_id    integer not null,
            chunk_index integer not null,
            content     text    not null,
            start_char  integer not null,
            end_char    integer not null,
            token_count integer not null,
            embedding   %s      not null,
            primary key (file_id, space_id, chunk_index),
            foreign key (file_id, space_id) references file_indexes (file_id, space_id) on delete cascade
        )$ddl$, vector_type);
end
$$;

-- Stored bytes waiting to be deleted: filled in the same transaction that deletes a file row (whatever deleted it:
-- a user, a collection, a group, a cascade), drained by a job that retries until storage confirms.
create table storage_garbage (
    storage_key text primary key,
    queued_at   timestamptz not null default now(),
    attempts    integer     not null default 0,
    last_error  text
);
create index storage_garbage_queued_at_idx on storage_garbage (queued_at);

create function files_queue_bytes_for_deletion() returns trigger language plpgsql as $$
begin
    insert into storage_garbage (storage_key) values (old.storage_key) on conflict do nothing;
    return null;
end
$$;
create trigger files_queue_bytes_for_deletion after delete on files
    for each row execute function files_queue_bytes_for_deletion();

-- When a collection lets go of a file (removal, collection deleted, its owner deleted), the file goes if no collection
-- holds it any more, and otherwise loses the indexes no remaining collection searches.
create function collection_files_release() returns trigger language plpgsql as $$
begin
    -- Lock the file first: a concurrent add holds a key-share lock on it until it commits, so this waits for that
    -- add, and the check below (a new snapshot) then sees its link; two removals of the last two links queue here.
    perform 1 from files where id = old.file_id for update;
    if not exists (select 1 from collection_files where file_id = old.file_id) then
        delete from files where id = old.file_id;
    else
        delete from file_indexes fi
        where fi.file_id = old.file_id
          and not exists (select 1 from collection_files cf join collections c on c.id = cf.collection_id
                          where cf.file_id = fi.file_id
                            and (c.space_id = fi.space_id or c.serving_space_id = fi.space_id));
    end if;
    return null;
end
$$;
create trigger collection_files_release after delete on collection_files
    for each row execute function collection_files_release();

-- A file index that goes (its file deleted, its space no longer searched) takes its queued ingestion jobs with it; a
-- job already running finds its index gone at its next write and stops.
create function file_indexes_cancel_jobs() returns trigger language plpgsql as $$
begin
    delete from scheduled_tasks
    where task_name = 'knowledge-ingest'
      and task_instance = old.file_id || ':' || old.space_id || ':' || old.generation
      and not picked;
    return null;
end
$$;
create trigger file_indexes_cancel_jobs after delete on file_indexes
    for each row execute function file_indexes_cancel_jobs();
