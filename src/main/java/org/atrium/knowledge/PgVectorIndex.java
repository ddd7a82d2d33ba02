package org.atrium.knowledge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.postgresql.util.PGobject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * pgvector in the same database as the rows, so a file's rows and vectors are deleted in one transaction. Each space
 * has its own table {@code chunk_vectors_<space>} whose column has the space's exact type ({@code vector(n)}) and an
 * HNSW index on that column (migrations V8, V9; the graph's {@code m} and {@code ef_construction} are configured); the
 * query vector is bound once as a {@code vector} parameter, so no stored vector is ever cast.
 *
 * <p>Each search decides how to run from counts it knows, not from planner statistics that may be missing or old:
 * when the scope holds at most {@code exactScanMaxChunks} chunks they are all compared (exact, and cheaper than an
 * index walk that must skip the rest of the space); otherwise the HNSW index is walked with iterative scan, checking
 * each candidate against the scope and skipping those outside it, until enough are found. A scope found too large
 * for the exact path is remembered for {@link #LARGE_SCOPE_MEMORY}, and its next searches walk at once without
 * counting it again (migration V22): what a search may return does not depend on that memory, only its cost.
 */
final class PgVectorIndex implements VectorIndex {

    private static final Logger log = LoggerFactory.getLogger(PgVectorIndex.class);

    /** The most chunks an index walk visits ({@code hnsw.max_scan_tuples}). */
    static final int MAX_SCAN_TUPLES = 100_000;

    /**
     * How long a scope found too large for the exact path is searched without counting it again. Short, because a
     * scope that shrank below the limit meanwhile is walked where it would be compared exactly: the same chunks in
     * scope, found at a walk's cost (and up to {@value #MAX_SCAN_TUPLES} candidates for a scope that became empty).
     */
    static final Duration LARGE_SCOPE_MEMORY = Duration.ofSeconds(30);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final long exactScanMaxChunks;
    private final int efSearch;
    private final int m;
    private final int efConstruction;
    private final Set<Integer> preparedSpaces = ConcurrentHashMap.newKeySet();
    /**
     * For each scope whose search walked, the most chunks a walk of it was asked for: the choice depends on that
     * number too (the more asked, the larger a part of the space the scope must be), and a walk chosen for a number
     * is chosen for any smaller one.
     */
    private final Cache<SearchScope, Integer> largeScopes = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(LARGE_SCOPE_MEMORY).build();

    /**
     * @param exactScanMaxChunks scopes of at most this many chunks are compared exactly
     * @param efSearch           the HNSW candidate list of an index walk ({@code hnsw.ef_search}), whatever the
     *                           depth asked for (iterative scan goes on beyond it): a shallow read then returns what a
     *                           deeper one starts with, which hybrid paging relies on
     * @param m                  the HNSW graph's links per node in new spaces' indexes
     * @param efConstruction     the HNSW candidate list while building new spaces' indexes
     */
    PgVectorIndex(JdbcClient jdbc, TransactionTemplate transactions, JsonMapper json, long exactScanMaxChunks,
                  int efSearch, int m, int efConstruction) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.exactScanMaxChunks = exactScanMaxChunks;
        this.efSearch = efSearch;
        this.m = m;
        this.efConstruction = efConstruction;
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
                .sql("select create_chunk_vectors(:s, :d, true, :m, :efc)").param("s", spaceId).param("d", dimensions)
                .param("m", m).param("efc", efConstruction)
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
        boolean knownLarge = knownLarge(scope, limit);
        boolean[] walked = {knownLarge};
        List<Hit> hits = new ArrayList<>(statement(scope, query, limit, "search_chunk_vectors", knownLarge)
                .query((rs, row) -> {
                    walked[0] = !rs.getBoolean("exact");
                    return new Hit(rs.getObject("file_id", UUID.class), rs.getInt("chunk_index"),
                            1 - rs.getDouble("distance"));
                })
                .list());
        if (walked[0] && !knownLarge) {
            largeScopes.asMap().merge(scope, limit, Math::max);
        }
        // Iterative scans in relaxed order may return neighbours slightly out of order.
        hits.sort(Hit.BEST_FIRST);
        return hits;
    }

    /** Whether the next search of this scope for this many chunks walks the index without counting the scope. */
    boolean knownLarge(SearchScope scope, int limit) {
        Integer walkedFor = largeScopes.getIfPresent(scope);
        return walkedFor != null && limit <= walkedFor;
    }

    /** The plan PostgreSQL chooses for {@link #search}, as {@code EXPLAIN} prints it, after the path chosen. */
    String explain(SearchScope scope, float[] query, int limit) {
        return String.join("\n", statement(scope, query, limit, "explain_chunk_vectors", null).query(String.class)
                .list());
    }

    /**
     * One statement, one round trip: the function of migrations V19 and V22 receives the scope (collections, files,
     * metadata filter), chooses the path from chunk counts it reads from {@code file_indexes} (never from planner
     * statistics; exact when the scope holds at most {@code exactScanMaxChunks} chunks, or is so small a part of the
     * space that a walk bounded by {@value #MAX_SCAN_TUPLES} visited chunks would expect to meet fewer than four times
     * the chunks asked for; the HNSW index otherwise), and runs the search with the planner settings confined to it.
     * The index path checks each candidate it meets against the scope instead of listing the scope first. With
     * {@code knownLarge} true the search walks without choosing (V22); {@code null} for the explaining function,
     * which always chooses.
     */
    private JdbcClient.StatementSpec statement(SearchScope scope, float[] query, int limit, String function,
                                               @Nullable Boolean knownLarge) {
        String sql = "select * from " + function + "(:space, :q, :k, :collections, cast(:files as uuid[]),"
                + " cast(:wanted as jsonb), :exactMax, :maxScan, :ef" + (knownLarge == null ? ")" : ", :knownLarge)");
        JdbcClient.StatementSpec statement = jdbc.sql(sql).param("space", scope.spaceId()).param("q", vector(query))
                .param("k", limit)
                .param("collections", scope.collectionIds().toArray(UUID[]::new))
                .param("files", scope.fileIds().isEmpty() ? null : scope.fileIds().toArray(UUID[]::new))
                .param("wanted", scope.metadata().isEmpty() ? null : metadataJson(scope.metadata()))
                .param("exactMax", exactScanMaxChunks).param("maxScan", MAX_SCAN_TUPLES)
                .param("ef", efSearch);
        return knownLarge == null ? statement : statement.param("knownLarge", knownLarge);
    }

    /** The metadata filter as the search function reads it: {@code {"key": ["value", ...]}}. */
    private String metadataJson(Map<String, List<String>> metadata) {
        ObjectNode wanted = json.createObjectNode();
        metadata.forEach((key, values) -> values.forEach(wanted.putArray(key)::add));
        return json.writeValueAsString(wanted);
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

    /** pgvector's text form of a vector: {@code [1.0,2.0]}. */
    static String literal(float[] vector) {
        return "[" + FileStore.numbers(vector) + "]";
    }
}
