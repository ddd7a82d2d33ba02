-- A denser HNSW graph, and a vector search in one statement.
--
-- Graph: pgvector's defaults (m 16, ef_construction 64) gave recall@10 0.81-0.84 at 100,000 chunks with
-- ef_search 640 (docs/benchmarks.md). Each space's index is now built with the graph parameters Atrium is configured
-- with (atrium.knowledge.hnsw-m, hnsw-ef-construction; the defaults below are theirs), and the indexes of existing
-- spaces are rebuilt once here with those defaults (on a large installation this takes a while: it is a bulk build).
--
-- Search: search_chunk_vectors runs one search over a space's vector table given the files in scope and the chunk
-- counts the caller computed in the same statement, choosing the exact or the index path from them, with the
-- planner settings the index path needs applied to this function only (its SET clauses restore them on exit, so a
-- caller's transaction never keeps them). Without pgvector, nothing here applies.

do $migration$
begin
    if to_regtype('vector') is null then
        return;
    end if;

    drop function if exists create_chunk_vectors(integer, integer, boolean);
    execute $fn$
    -- Creates the vector table of one space and, when asked, its HNSW index; returns whether the table existed
    -- already (then it takes no lock at all). Replicas racing to create it are serialised by the advisory lock.
    -- pgvector's HNSW takes at most 2,000 dimensions: above that the table is searched exactly.
    create function create_chunk_vectors(space integer, dimensions integer, with_index boolean default true,
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
        if with_index and dimensions <= 2000 then
            execute format('create index if not exists chunk_vectors_%1$s_hnsw on chunk_vectors_%1$s'
                           ' using hnsw (embedding vector_cosine_ops) with (m = %2$s, ef_construction = %3$s)',
                           space, m, ef_construction);
        end if;
        return false;
    end
    $$
    $fn$;

    -- The statement a search runs: exact ("+ 0" makes the ordering something no index provides, so the chunks in
    -- scope are compared one by one) or an HNSW walk over the whole space, skipping chunks outside the scope.
    execute $fn$
    create function chunk_vectors_statement(space integer, exact boolean) returns text
        language sql immutable as $$
        select format('select v.file_id, v.chunk_index, (v.embedding <=> $1)::float8 as distance'
                      ' from chunk_vectors_%s v where v.file_id = any($2)', space)
               || case when exact then ' order by (v.embedding <=> $1) + 0, v.file_id, v.chunk_index limit $3'
                       else ' order by v.embedding <=> $1 limit $3' end
    $$
    $fn$;

    -- Exact when the scope is small (at most exact_max chunks), or so small a part of the space that a walk bounded
    -- by max_scan visited chunks would expect to meet fewer than four times the chunks asked for; the index
    -- otherwise.
    execute $fn$
    create function chunk_vectors_exact(in_scope bigint, in_space bigint, k integer, exact_max bigint,
                                        max_scan integer) returns boolean
        language sql immutable as $$
        select in_scope <= exact_max or in_scope::float8 / greatest(in_space, 1) * max_scan < 4.0 * k
    $$
    $fn$;

    -- One search. Without iterative scan HNSW stops after ef_search candidates, before the scope filter, and could
    -- come back with fewer than k rows; sorting and sequential scans are disabled so that the plan of the index path
    -- is the walk whatever the statistics say. The SET clauses confine every setting to this call.
    execute $fn$
    create function search_chunk_vectors(space integer, query vector, k integer, files uuid[], in_scope bigint,
                                         in_space bigint, exact_max bigint, max_scan integer, ef integer)
        returns table (file_id uuid, chunk_index integer, distance float8, exact boolean)
        language plpgsql
        set enable_sort = off set enable_seqscan = off set hnsw.iterative_scan = relaxed_order
        set hnsw.ef_search = 40 set hnsw.max_scan_tuples = 20000
    as $$
    declare
        by_exact boolean := chunk_vectors_exact(in_scope, in_space, k, exact_max, max_scan);
    begin
        if in_scope = 0 then
            return;
        end if;
        if not by_exact then
            perform set_config('hnsw.ef_search', ef::text, true), set_config('hnsw.max_scan_tuples', max_scan::text,
                                                                             true);
        end if;
        return query execute
            'select s.file_id, s.chunk_index, s.distance, ' || by_exact || ' from ('
            || chunk_vectors_statement(space, by_exact) || ') s'
            using query, files, k;
    end
    $$
    $fn$;

    -- The plan search_chunk_vectors runs, as EXPLAIN prints it, after a first line naming the path.
    execute $fn$
    create function explain_chunk_vectors(space integer, query vector, k integer, files uuid[], in_scope bigint,
                                          in_space bigint, exact_max bigint, max_scan integer, ef integer)
        returns setof text
        language plpgsql
        set enable_sort = off set enable_seqscan = off set hnsw.iterative_scan = relaxed_order
        set hnsw.ef_search = 40 set hnsw.max_scan_tuples = 20000
    as $$
    declare
        by_exact boolean := chunk_vectors_exact(in_scope, in_space, k, exact_max, max_scan);
    begin
        if not by_exact then
            perform set_config('hnsw.ef_search', ef::text, true), set_config('hnsw.max_scan_tuples', max_scan::text,
                                                                             true);
        end if;
        return next case when by_exact then 'EXACT' else 'INDEX' end;
        return query execute 'explain ' || chunk_vectors_statement(space, by_exact) using query, files, k;
    end
    $$
    $fn$;
end
$migration$;

-- Existing spaces' indexes, rebuilt with the new defaults.
do $$
declare
    space record;
begin
    if to_regtype('vector') is null then
        return;
    end if;
    for space in select id, dimensions from embedding_spaces where dimensions is not null and dimensions <= 2000 loop
        if to_regclass(format('chunk_vectors_%s', space.id)) is not null then
            execute format('drop index if exists chunk_vectors_%s_hnsw', space.id);
            execute format('create index chunk_vectors_%1$s_hnsw on chunk_vectors_%1$s'
                           ' using hnsw (embedding vector_cosine_ops) with (m = 24, ef_construction = 128)', space.id);
        end if;
    end loop;
end
$$;
