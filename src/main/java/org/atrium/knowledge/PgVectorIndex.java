package org.atrium.knowledge;

import org.atrium.platform.LogEvents;
import org.postgresql.util.PGobject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * pgvector in the same database as the rows, so a file's rows and vectors are deleted in one transaction. Each space
 * has its own table {@code chunk_vectors_<space>} whose column has the space's exact type ({@code vector(n)}) and an
 * HNSW index on that column (see migration V8); the query vector is bound once as a {@code vector} parameter, so no
 * stored vector is ever cast.
 *
 * <p>Each search decides how to run from counts it knows, not from planner statistics that may be missing or old:
 * when the scope holds at most {@code exactScanMaxChunks} chunks they are all compared (exact, and cheaper than an
 * index walk that must skip the rest of the space); otherwise the HNSW index is walked with iterative scan, skipping
 * chunks outside the scope, until enough are found.
 */
final class PgVectorIndex implements VectorIndex {

    private static final Logger log = LoggerFactory.getLogger(PgVectorIndex.class);

    /** The most chunks an index walk visits ({@code hnsw.max_scan_tuples}). */
    static final int MAX_SCAN_TUPLES = 100_000;

    /** How a search ran, for logs and tests. */
    enum Path { EXACT, INDEX }

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final long exactScanMaxChunks;
    private final int efSearch;
    private final Set<Integer> preparedSpaces = ConcurrentHashMap.newKeySet();

    /**
     * @param exactScanMaxChunks scopes of at most this many chunks are compared exactly
     * @param efSearch           the HNSW candidate list of an index walk ({@code hnsw.ef_search}), at least twice
     *                           the depth asked for
     */
    PgVectorIndex(JdbcClient jdbc, TransactionTemplate transactions, long exactScanMaxChunks, int efSearch) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.exactScanMaxChunks = exactScanMaxChunks;
        this.efSearch = efSearch;
    }

    @Override
    public String kind() {
        return "pgvector";
    }

    @Override
    public void prepareSpace(int spaceId, int dimensions) {
        if (preparedSpaces.contains(spaceId)) {
            return;
        }
        // The table is created empty with its index, so the index never has to be built over existing rows. Called
        // from a fenced ingestion transaction too (a replica that did not see the space created): the function
        // takes no lock when the table exists, and the space is remembered only once its table is known committed.
        boolean existed = Boolean.TRUE.equals(transactions.execute(status -> jdbc
                .sql("select create_chunk_vectors(:s, :d)").param("s", spaceId).param("d", dimensions)
                .query(Boolean.class).single()));
        if (existed || !TransactionSynchronizationManager.isActualTransactionActive()) {
            preparedSpaces.add(spaceId);
        }
        if (!existed) {
            LogEvents.info(log, "knowledge.index.prepared").addKeyValue("space_id", spaceId)
                    .addKeyValue("dimensions", dimensions).log();
        }
    }

    @Override
    public boolean vectorsInChunkRows() {
        return false;
    }

    @Override
    public void storeVectors(UUID fileId, int spaceId, int dimensions, List<FileStore.NewChunk> chunks) {
        prepareSpace(spaceId, dimensions);
        jdbc.sql("insert into chunk_vectors_" + spaceId + " (file_id, chunk_index, embedding)"
                        + " select :f, t.idx, t.vector::vector(" + dimensions + ")"
                        + " from unnest(:idx, :vectors) as t(idx, vector)"
                        + " on conflict (file_id, chunk_index) do update set embedding = excluded.embedding")
                .param("f", fileId)
                .param("idx", chunks.stream().map(FileStore.NewChunk::index).toArray(Integer[]::new))
                .param("vectors", chunks.stream().map(c -> literal(c.embedding())).toArray(String[]::new))
                .update();
    }

    @Override
    public List<Hit> search(SearchScope scope, float[] query, int limit) {
        return transactions.execute(status -> {
            Optional<Path> path = choosePath(scope, limit);
            if (path.isEmpty()) {
                return List.of();
            }
            List<Hit> hits = new ArrayList<>(statement(scope, query, limit, path.get(), false)
                    .query((rs, row) -> new Hit(rs.getObject("file_id", UUID.class), rs.getInt("chunk_index"),
                            1 - rs.getDouble("distance")))
                    .list());
            // Iterative scans in relaxed order may return neighbours slightly out of order.
            hits.sort(Hit.BEST_FIRST);
            return hits;
        });
    }

    /** The plan PostgreSQL chooses for {@link #search}, as {@code EXPLAIN} prints it, and the path chosen. */
    String explain(SearchScope scope, float[] query, int limit) {
        return transactions.execute(status -> {
            Path path = choosePath(scope, limit).orElse(Path.EXACT);
            return path + "\n" + String.join("\n", statement(scope, query, limit, path, true).query(String.class)
                    .list());
        });
    }

    /**
     * Exact when the scope is small, or so small a part of the space that a walk bounded by
     * {@value #MAX_SCAN_TUPLES} visited chunks would expect to meet fewer than four times the chunks asked for;
     * the index otherwise. Empty when nothing is in scope.
     */
    private Optional<Path> choosePath(SearchScope scope, int limit) {
        record Counts(long inScope, long inSpace) {
        }
        Counts counts = scope.bind(jdbc.sql("select coalesce(sum(case when i.file_id in (" + scope.readyFiles()
                        + ") then i.chunks_total else 0 end), 0) as in_scope, coalesce(sum(i.chunks_total), 0)"
                        + " as in_space from file_indexes i where i.space_id = :scopeSpace and i.status = 'ready'"))
                .query((rs, row) -> new Counts(rs.getLong("in_scope"), rs.getLong("in_space"))).single();
        if (counts.inScope() == 0) {
            return Optional.empty();
        }
        boolean small = counts.inScope() <= exactScanMaxChunks;
        boolean sparse = (double) counts.inScope() / counts.inSpace() * MAX_SCAN_TUPLES < 4.0 * limit;
        return Optional.of(small || sparse ? Path.EXACT : Path.INDEX);
    }

    private JdbcClient.StatementSpec statement(SearchScope scope, float[] query, int limit, Path path,
                                               boolean explain) {
        String table = "chunk_vectors_" + scope.spaceId();
        String sql;
        if (path == Path.EXACT) {
            // "+ 0" makes the ordering something no index provides, so the few chunks in scope are compared exactly
            // instead of walking an index over the whole space.
            sql = "select v.file_id, v.chunk_index, v.embedding <=> :q as distance from " + table + " v"
                    + " where v.file_id in (" + scope.readyFiles() + ")"
                    + " order by (v.embedding <=> :q) + 0, v.file_id, v.chunk_index limit :k";
        } else {
            // Without iterative scan HNSW stops after ef_search candidates, before the scope filter, and could come
            // back with fewer than k rows. Sorting is disabled for this statement so that the plan is the index
            // walk, whatever the statistics say; max_scan_tuples bounds the walk when the scope is a small part of
            // the space. One round trip for all of it.
            jdbc.sql("""
                            select set_config('hnsw.iterative_scan', 'relaxed_order', true),
                                   set_config('hnsw.ef_search', :ef, true),
                                   set_config('hnsw.max_scan_tuples', :maxScan, true),
                                   set_config('enable_sort', 'off', true),
                                   set_config('enable_seqscan', 'off', true)""")
                    .param("ef", String.valueOf(Math.max(efSearch, Math.min(1000, limit * 2))))
                    .param("maxScan", String.valueOf(MAX_SCAN_TUPLES)).query().listOfRows();
            sql = "select v.file_id, v.chunk_index, v.embedding <=> :q as distance from " + table + " v"
                    + " where v.file_id in (" + scope.readyFiles() + ")"
                    + " order by v.embedding <=> :q limit :k";
        }
        return scope.bind(jdbc.sql((explain ? "explain " : "") + sql)).param("q", vector(query)).param("k", limit);
    }

    /** The query as a parameter of pgvector's type: compared as it is, never cast per row. */
    private static PGobject vector(float[] values) {
        PGobject vector = new PGobject();
        vector.setType("vector");
        try {
            vector.setValue(literal(values));
        } catch (SQLException impossible) {
            throw new IllegalStateException(impossible);
        }
        return vector;
    }

    private static String literal(float[] vector) {
        StringBuilder text = new StringBuilder(vector.length * 12).append('[');
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(vector[i]);
        }
        return text.append(']').toString();
    }
}
