-- A vector search no longer lists every file in scope before it starts.
--
-- Until now the caller listed the ready files of the searched collections (all of them: 1,608 files, 1.0-1.6 ms at
-- 100,000 chunks) and summed their chunks, and the search function planned its statement with that list as a
-- constant (planning grows with the list). Now the function receives the scope itself (collections, optional files,
-- optional metadata filter) and:
-- - counts the chunks in scope only as far as the choice of path needs: it stops adding once the count is past what
--   the exact path would take (a file held by two of the collections searched counts twice: the count chooses the
--   path, it never changes what is returned);
-- - on the exact path, compares the chunks of the files it counted (a small scope, by construction);
-- - on the index path, checks each candidate of the HNSW walk with chunk_file_in_scope, which the planner sees as one
--   opaque call, so planning does not grow with the scope and only the candidates met are checked.
-- Without pgvector, nothing here exists (the in-process index reads the scope in Java).
do $migration$
begin
    if to_regtype('vector') is null then
        return;
    end if;

    drop function search_chunk_vectors(integer, vector, integer, uuid[], bigint, bigint, bigint, integer, integer);
    drop function explain_chunk_vectors(integer, vector, integer, uuid[], bigint, bigint, bigint, integer, integer);

    -- Whether a file's metadata has, for every key of wanted ({"key": ["value", ...]}), one of the values listed.
    execute $fn$
    create function chunk_metadata_matches(metadata jsonb, wanted jsonb) returns boolean
        language sql immutable as $$
        select wanted is null or not exists (
            select 1 from jsonb_each(wanted) w
            where not exists (select 1 from jsonb_array_elements_text(w.value) v
                              where metadata @> jsonb_build_object(w.key, v.value)))
    $$
    $fn$;

    -- Whether a file is in a search's scope: ready in the space, held by one of the collections, one of only_files
    -- (when given) and matching the metadata filter (when given). PL/pgSQL, so that its plan is cached per session
    -- and the calling statement's planner sees one call.
    execute $fn$
    create function chunk_file_in_scope(file uuid, space integer, collections uuid[], only_files uuid[],
                                        wanted jsonb) returns boolean
        language plpgsql stable set jit = off as $$
    begin
        return (only_files is null or file = any(only_files))
            and exists (select 1 from file_indexes fi
                        where fi.file_id = file and fi.space_id = space and fi.status = 'ready')
            and exists (select 1 from collection_files cf
                        where cf.file_id = file and cf.collection_id = any(collections))
            and (wanted is null or exists (select 1 from files f
                                           where f.id = file and chunk_metadata_matches(f.metadata, wanted)));
    end
    $$
    $fn$;

    -- The path of one search and, for the exact path, the files to compare. Counts come from file_indexes, never
    -- from planner statistics; the scope is read only until its chunks exceed what the exact path would take.
    execute $fn$
    create function chunk_vectors_path(space integer, k integer, collections uuid[], only_files uuid[], wanted jsonb,
                                       exact_max bigint, max_scan integer, out exact boolean, out scope_files uuid[])
        language plpgsql stable set jit = off as $$
    declare
        in_space bigint;
        in_scope bigint := 0;
        enough float8;
        scoped record;
    begin
        select coalesce(sum(i.chunks_total), 0) into in_space from file_indexes i
        where i.space_id = space and i.status = 'ready';
        -- Beyond this count neither rule of chunk_vectors_exact holds.
        enough := greatest(exact_max::float8, 4.0 * k * in_space / greatest(max_scan, 1));
        scope_files := '{}';
        for scoped in
            select fi.file_id, fi.chunks_total from collection_files cf
            join file_indexes fi on fi.file_id = cf.file_id and fi.space_id = space and fi.status = 'ready'
            where cf.collection_id = any(collections) and (only_files is null or cf.file_id = any(only_files))
              and (wanted is null or exists (select 1 from files f
                                             where f.id = cf.file_id and chunk_metadata_matches(f.metadata, wanted)))
        loop
            -- A ready file always has its count; were one missing, the search must still run, not fail.
            in_scope := in_scope + coalesce(scoped.chunks_total, 0);
            if in_scope > enough then
                exact := false;
                scope_files := null;
                return;
            end if;
            scope_files := array_append(scope_files, scoped.file_id);
        end loop;
        exact := chunk_vectors_exact(in_scope, in_space, k, exact_max, max_scan);
        if not exact then
            scope_files := null;
        end if;
    end
    $$
    $fn$;

    -- The statement a search runs: exact ("+ 0" makes the ordering something no index provides, so the chunks of the
    -- files counted are compared one by one) or an HNSW walk over the whole space, skipping candidates out of scope.
    execute $fn$
    create or replace function chunk_vectors_statement(space integer, exact boolean) returns text
        language sql immutable as $$
        select format('select v.file_id, v.chunk_index, (v.embedding <=> $1)::float8 as distance'
                      ' from chunk_vectors_%s v where ', space)
               || case when exact then 'v.file_id = any($2)'
                           || ' order by (v.embedding <=> $1) + 0, v.file_id, v.chunk_index limit $3'
                       else format('chunk_file_in_scope(v.file_id, %s, $4, $5, $6)', space)
                           || ' order by v.embedding <=> $1 limit $3' end
    $$
    $fn$;

    -- One search. Without iterative scan HNSW stops after ef_search candidates, before the scope filter, and could
    -- come back with fewer than k rows; sorting and sequential scans are disabled so that the plan of the index path
    -- is the walk whatever the statistics say. The SET clauses confine every setting to this call.
    execute $fn$
    create function search_chunk_vectors(space integer, query vector, k integer, collections uuid[],
                                         only_files uuid[], wanted jsonb, exact_max bigint, max_scan integer,
                                         ef integer)
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
            || chunk_vectors_statement(space, path.exact) || ') s'
            using query, path.scope_files, k, collections, only_files, wanted;
    end
    $$
    $fn$;

    -- The plan search_chunk_vectors runs, as EXPLAIN prints it, after a first line naming the path.
    execute $fn$
    create function explain_chunk_vectors(space integer, query vector, k integer, collections uuid[],
                                          only_files uuid[], wanted jsonb, exact_max bigint, max_scan integer,
                                          ef integer)
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
        return query execute 'explain ' || chunk_vectors_statement(space, path.exact)
            using query, path.scope_files, k, collections, only_files, wanted;
    end
    $$
    $fn$;
end
$migration$;
