-- Spaces of 2,001 to 4,000 dimensions get an HNSW index, over half-precision copies of their vectors.
--
-- pgvector indexes vector columns up to 2,000 dimensions and halfvec up to 4,000. Until now a space above 2,000
-- dimensions (OpenAI's text-embedding-3-large has 3,072) had no index, and every search of a large scope compared
-- every vector of the space. Such a space's index is now built over embedding::halfvec(n); the stored vectors keep
-- full precision, the walk orders candidates by their half-precision distance, and the distances returned (and the
-- exact path) use the stored vectors. Spaces up to 2,000 dimensions keep their full-precision index: over halves, the
-- graph of the test suite's few-dimensional vectors (many chunks with the same vector) left 30 of 106 vectors
-- unreachable where the full-precision graph reached all of them, and at 384 dimensions the gain was a fifth of the
-- walk's tail at the same recall (docs/benchmarks.md, 2026-12-06). Above 4,000 dimensions there is still no index.
--
-- Existing spaces of 2,001 to 4,000 dimensions get their index here, with the default graph (m 32,
-- ef_construction 200: a bulk build, which takes a while on a large space). Without pgvector, nothing here applies.
do $migration$
declare
    space record;
begin
    if to_regtype('vector') is null then
        return;
    end if;

    -- The index of one space: over the vectors up to 2,000 dimensions, over their half-precision copies up to
    -- 4,000; above that there is none and the space is searched exactly.
    execute $fn$
    create function create_chunk_vectors_index(space integer, dimensions integer, m integer, ef_construction integer)
        returns void language plpgsql as $$
    begin
        if dimensions <= 2000 then
            execute format('create index if not exists chunk_vectors_%1$s_hnsw on chunk_vectors_%1$s'
                           ' using hnsw (embedding vector_cosine_ops) with (m = %2$s, ef_construction = %3$s)',
                           space, m, ef_construction);
        elsif dimensions <= 4000 then
            execute format('create index if not exists chunk_vectors_%1$s_hnsw on chunk_vectors_%1$s'
                           ' using hnsw ((embedding::halfvec(%2$s)) halfvec_cosine_ops)'
                           ' with (m = %3$s, ef_construction = %4$s)', space, dimensions, m, ef_construction);
        end if;
    end
    $$
    $fn$;

    -- As in V9, with the index built by create_chunk_vectors_index.
    execute $fn$
    create or replace function create_chunk_vectors(space integer, dimensions integer, with_index boolean default true,
                                                    m integer default 24, ef_construction integer default 128)
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
        if with_index then
            perform create_chunk_vectors_index(space, dimensions, m, ef_construction);
        end if;
        return false;
    end
    $$
    $fn$;

    -- The statement a search runs (as in V19). The index path orders by the expression the space's index holds, so
    -- that the planner walks it: over halves when the table's column has 2,001 to 4,000 dimensions (its typmod). The
    -- distance returned is always the stored vectors'. Stable rather than immutable: it reads the catalogue.
    execute $fn$
    create or replace function chunk_vectors_statement(space integer, exact boolean) returns text
        language sql stable as $$
        select format('select v.file_id, v.chunk_index, (v.embedding <=> $1)::float8 as distance'
                      ' from chunk_vectors_%s v where ', space)
               || case when exact then 'v.file_id = any($2)'
                           || ' order by (v.embedding <=> $1) + 0, v.file_id, v.chunk_index limit $3'
                       when column_type.dimensions between 2001 and 4000
                           then format('chunk_file_in_scope(v.file_id, %s, $4, $5, $6)', space)
                           || format(' order by v.embedding::halfvec(%1$s) <=> $1::halfvec(%1$s) limit $3',
                                     column_type.dimensions)
                       else format('chunk_file_in_scope(v.file_id, %s, $4, $5, $6)', space)
                           || ' order by v.embedding <=> $1 limit $3' end
        from (select 1) one
        left join (select a.atttypmod as dimensions from pg_attribute a
                   where a.attrelid = to_regclass(format('chunk_vectors_%s', space)) and a.attname = 'embedding')
            column_type on true
    $$
    $fn$;

    -- Existing spaces of 2,001 to 4,000 dimensions, which had no index.
    for space in select s.id, s.dimensions from embedding_spaces s
                 where s.dimensions between 2001 and 4000
                   and to_regclass(format('chunk_vectors_%s', s.id)) is not null loop
        perform create_chunk_vectors_index(space.id, space.dimensions, 32, 200);
    end loop;
end
$migration$;
