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

    -- The statement a search runs. The index path orders by the expression the space's index holds, so that the
    -- planner walks it; the distance returned is always the stored vectors'.
    drop function chunk_vectors_statement(integer, boolean);
    execute $fn$
    create function chunk_vectors_statement(space integer, exact boolean, dimensions integer) returns text
        language sql immutable as $$
        select format('select v.file_id, v.chunk_index, (v.embedding <=> $1)::float8 as distance'
                      ' from chunk_vectors_%s v where ', space)
               || case when exact then 'v.file_id = any($2)'
                           || ' order by (v.embedding <=> $1) + 0, v.file_id, v.chunk_index limit $3'
                       when dimensions between 2001 and 4000
                           then format('chunk_file_in_scope(v.file_id, %s, $4, $5, $6)', space)
                           || format(' order by v.embedding::halfvec(%1$s) <=> $1::halfvec(%1$s) limit $3',
                                     dimensions)
                       else format('chunk_file_in_scope(v.file_id, %s, $4, $5, $6)', space)
                           || ' order by v.embedding <=> $1 limit $3' end
    $$
    $fn$;

    -- As in V19, with the query's dimensions passed to the statement.
    execute $fn$
    create or replace function search_chunk_vectors(space integer, query vector, k integer, collections uuid[],
                                                    only_files uuid[], wanted jsonb, exact_max bigint,
                                                    max_scan integer, ef integer)
        returns table (file_id uuid, chunk_index integer, distance float8, exact boolean)
        language plpgsql
        set enable_sort = off set enable_seqscan = off set hnsw.iterative_scan = relaxed_order
        set hnsw.ef_search = 40 set hnsw.max_scan_tuples = 20000 set jit = off
    as $$
    declare
        path record;
    begin
        select * into path from chunk_vectors_path(space, k, collections, only_files, wanted, exact_max, max_scan);
        if path.exact and cardinality(path.scope_files) = 0 then
            return;
        end if;
        if not path.exact then
            perform set_config('hnsw.ef_search', ef::text, true), set_config('hnsw.max_scan_tuples', max_scan::text,
                                                                             true);
        end if;
        return query execute
            'select s.file_id, s.chunk_index, s.distance, ' || path.exact || ' from ('
            || chunk_vectors_statement(space, path.exact, vector_dims(query)) || ') s'
            using query, path.scope_files, k, collections, only_files, wanted;
    end
    $$
    $fn$;

    execute $fn$
    create or replace function explain_chunk_vectors(space integer, query vector, k integer, collections uuid[],
                                                     only_files uuid[], wanted jsonb, exact_max bigint,
                                                     max_scan integer, ef integer)
        returns setof text
        language plpgsql
        set enable_sort = off set enable_seqscan = off set hnsw.iterative_scan = relaxed_order
        set hnsw.ef_search = 40 set hnsw.max_scan_tuples = 20000 set jit = off
    as $$
    declare
        path record;
    begin
        select * into path from chunk_vectors_path(space, k, collections, only_files, wanted, exact_max, max_scan);
        if not path.exact then
            perform set_config('hnsw.ef_search', ef::text, true), set_config('hnsw.max_scan_tuples', max_scan::text,
                                                                             true);
        end if;
        return next case when path.exact then 'EXACT' else 'INDEX' end;
        return query execute 'explain ' || chunk_vectors_statement(space, path.exact, vector_dims(query))
            using query, path.scope_files, k, collections, only_files, wanted;
    end
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
