-- Search that uses its indexes.
--
-- Vectors: with pgvector, each embedding space gets its own table whose column has the space's exact type
-- (vector(n)), so the HNSW index is built on the column itself and a search compares stored vectors with a query
-- bound once as a vector parameter: nothing is cast per row. Until now the vectors lived in chunks.embedding (an
-- untyped vector) under one expression index per space. The chunk row stays the truth: a vector row references its
-- chunk and goes with it (file deleted, chunks dropped, index re-queued). Without pgvector nothing changes:
-- chunks.embedding stays a real[] read by the in-process index.
--
-- Keywords: chunks.terms holds the chunk's lexemes for full-text search, in the text search configuration
-- (language) of the file's index; file_indexes.language records which one, collections.language says which one a
-- collection wants (its queries are parsed with it).

-- Creates the vector table of one space and, when asked, its HNSW index; returns whether the table existed already
-- (then it takes no lock at all). Replicas racing to create it are serialised by the advisory lock. pgvector's HNSW
-- takes at most 2,000 dimensions: above that the table is searched exactly.
create function create_chunk_vectors(space integer, dimensions integer, with_index boolean default true)
    returns boolean language plpgsql as $$
begin
    if to_regclass(format('chunk_vectors_%s', space)) is not null then
        return true;
    end if;
    perform pg_advisory_xact_lock(hashtext('chunk_vectors'), space);
    execute format($ddl$
        create table if not exists chunk_vectors_%1$s (
            file_id     uuid       not null,
            space_id    integer    not null default %1$s check (space_id = %1$s),
            chunk_index integer    not null,
            embedding   vector(%2$s) not null,
            primary key (file_id, chunk_index),
            foreign key (file_id, space_id, chunk_index)
                references chunks (file_id, space_id, chunk_index) on delete cascade
        )$ddl$, space, dimensions);
    if with_index and dimensions <= 2000 then
        execute format('create index if not exists chunk_vectors_%1$s_hnsw on chunk_vectors_%1$s'
                       ' using hnsw (embedding vector_cosine_ops)', space);
    end if;
    return false;
end
$$;

-- Existing vectors move first, and each space's index is built once over its rows (in bulk, not row by row); the old
-- expression indexes go before any chunk row is rewritten below.
do $$
declare
    space record;
begin
    if not exists (select 1 from information_schema.columns
                   where table_schema = current_schema() and table_name = 'chunks'
                     and column_name = 'embedding' and udt_name = 'vector') then
        drop function create_chunk_vectors(integer, integer, boolean);
        return;
    end if;
    for space in select id, dimensions from embedding_spaces where dimensions is not null loop
        execute format('drop index if exists chunks_space_%s_hnsw', space.id);
        perform create_chunk_vectors(space.id, space.dimensions, false);
        execute format('insert into chunk_vectors_%1$s (file_id, chunk_index, embedding)'
                       ' select file_id, chunk_index, embedding::vector(%2$s) from chunks where space_id = %1$s',
                       space.id, space.dimensions);
        if space.dimensions <= 2000 then
            execute format('create index chunk_vectors_%1$s_hnsw on chunk_vectors_%1$s'
                           ' using hnsw (embedding vector_cosine_ops)', space.id);
        end if;
    end loop;
    alter table chunks drop column embedding;
end
$$;

alter table collections add column language regconfig not null default 'english';
alter table file_indexes add column language regconfig not null default 'english';
alter table chunks add column terms tsvector;
update chunks set terms = to_tsvector('english', content);
alter table chunks alter column terms set not null;
create index chunks_terms_idx on chunks using gin (terms);
