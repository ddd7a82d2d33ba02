-- A vector search may skip counting its scope when its caller already found the scope too large for the exact path.
--
-- Choosing the path (chunk_vectors_path of V19) reads the scope's files with their chunk counts until the count is
-- past what the exact path would take: about 160 files of a 100,000-chunk collection, 1.4-1.7 ms of a 7-8 ms search
-- (the joins of collection_files and file_indexes, one index lookup per file). A scope that large rarely shrinks below
-- the limit between two searches, so the caller remembers, for a short while, which scopes took the index path and
-- passes known_large: the function then walks the index at once. Only the choice of path is skipped: every candidate
-- is still checked against the scope (chunk_file_in_scope), so what a search may return does not change; were the
-- scope to shrink meanwhile, the walk would still return only chunks in scope, at a walk's cost.
--
-- Expand only: the nine-argument function the previous release calls runs the same search, now through this one.
-- Without pgvector, nothing here exists.
do $migration$
begin
    if to_regtype('vector') is null then
        return;
    end if;

    execute $fn$
    create function search_chunk_vectors(space integer, query vector, k integer, collections uuid[],
                                         only_files uuid[], wanted jsonb, exact_max bigint, max_scan integer,
                                         ef integer, known_large boolean)
        returns table (file_id uuid, chunk_index integer, distance float8, exact boolean)
        language plpgsql
        set enable_sort = off set enable_seqscan = off set hnsw.iterative_scan = relaxed_order
        set hnsw.ef_search = 40 set hnsw.max_scan_tuples = 20000 set jit = off
    as $$
    declare
        walk boolean := true;
        scope_files uuid[];
    begin
        if not known_large then
            select not p.exact, p.scope_files into walk, scope_files
            from chunk_vectors_path(space, k, collections, only_files, wanted, exact_max, max_scan) p;
        end if;
        if not walk and cardinality(scope_files) = 0 then
            return;
        end if;
        if walk then
            perform set_config('hnsw.ef_search', ef::text, true), set_config('hnsw.max_scan_tuples', max_scan::text,
                                                                             true);
        end if;
        return query execute
            'select s.file_id, s.chunk_index, s.distance, ' || (not walk) || ' from ('
            || chunk_vectors_statement(space, not walk) || ') s'
            using query, scope_files, k, collections, only_files, wanted;
    end
    $$
    $fn$;

    execute $fn$
    create or replace function search_chunk_vectors(space integer, query vector, k integer, collections uuid[],
                                                    only_files uuid[], wanted jsonb, exact_max bigint,
                                                    max_scan integer, ef integer)
        returns table (file_id uuid, chunk_index integer, distance float8, exact boolean)
        language sql set jit = off as $$
        select * from search_chunk_vectors(space, query, k, collections, only_files, wanted, exact_max, max_scan, ef,
                                           false)
    $$
    $fn$;
end
$migration$;
