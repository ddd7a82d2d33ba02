-- The vector search functions force their plans with enable_sort and enable_seqscan off, which adds PostgreSQL's
-- "disabled" cost (10^10) to every estimate, far above jit_above_cost: each search was compiled by the JIT before it
-- ran (about 70 ms for a search of 300 vectors that runs in under 1 ms). Atrium's connections turn the JIT off
-- (spring.datasource.hikari.connection-init-sql); the functions now do too, whoever calls them. Without pgvector,
-- nothing here exists.
do $migration$
begin
    if to_regtype('vector') is null then
        return;
    end if;
    execute 'alter function search_chunk_vectors(integer, vector, integer, uuid[], bigint, bigint, bigint, integer,'
            ' integer) set jit = off';
    execute 'alter function explain_chunk_vectors(integer, vector, integer, uuid[], bigint, bigint, bigint, integer,'
            ' integer) set jit = off';
end
$migration$;
