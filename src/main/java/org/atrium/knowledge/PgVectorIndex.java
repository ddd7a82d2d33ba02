package org.atrium.knowledge;

import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.UUID;

/**
 * pgvector in the same database as the rows, so a file's rows and vectors are deleted in one transaction. One partial
 * HNSW index per space (cosine distance on {@code embedding::vector(n)} where {@code space_id = s}), because HNSW
 * needs a fixed dimension and spaces differ. Space ids and dimensions are written into the SQL as numbers (they come
 * from our own table) so the planner can match the partial index.
 */
final class PgVectorIndex implements VectorIndex {

    private static final Logger log = LoggerFactory.getLogger(PgVectorIndex.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    PgVectorIndex(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    @Override
    public String kind() {
        return "pgvector";
    }

    @Override
    public void prepareSpace(int spaceId, int dimensions) {
        // Concurrently, so that building it never blocks chunk writes and deletes of other spaces; this runs outside
        // any transaction (Ingestion calls it between its short fenced ones).
        try {
            jdbc.sql("create index concurrently if not exists chunks_space_%d_hnsw on chunks using hnsw"
                    .formatted(spaceId) + " ((embedding::vector(%d)) vector_cosine_ops) where space_id = %d"
                    .formatted(dimensions, spaceId)).update();
            LogEvents.info(log, "knowledge.index.prepared").addKeyValue("space_id", spaceId)
                    .addKeyValue("dimensions", dimensions).log();
        } catch (DataAccessException failure) {
            // Two replicas creating the same index at once is expected (one sees a duplicate name); anything else
            // (pgvector's HNSW takes at most 2,000 dimensions) leaves the space searchable, but by sequential scan.
            boolean raced = String.valueOf(failure.getMessage()).contains("already exists");
            (raced ? LogEvents.debug(log, "knowledge.index.prepare_raced")
                    : LogEvents.warn(log, "knowledge.index.prepare_failed"))
                    .addKeyValue("space_id", spaceId).addKeyValue("dimensions", dimensions)
                    .addKeyValue("reason", failure.getMostSpecificCause().getMessage()).log();
        }
    }

    @Override
    public List<Hit> search(int spaceId, int dimensions, float[] query, List<UUID> collectionIds, int topK) {
        String vector = "cast(cast(:q as real[]) as vector(" + dimensions + "))";
        String distance = "c.embedding::vector(" + dimensions + ") <=> " + vector;
        return transactions.execute(status -> {
            // Without iterative scans, HNSW returns ef_search candidates before the filter, and a filtered query can
            // come back with fewer than k rows; relaxed order then needs the outer sort.
            jdbc.sql("set local hnsw.iterative_scan = relaxed_order").update();
            jdbc.sql("set local hnsw.ef_search = " + Math.max(40, Math.min(1000, topK * 4))).update();
            return jdbc.sql("with hits as materialized (select c.file_id, c.chunk_index, " + distance
                            + " as distance from chunks c where c.space_id = " + spaceId
                            + " and c.file_id in (select cf.file_id from collection_files cf join file_indexes fi"
                            + " on fi.file_id = cf.file_id and fi.space_id = " + spaceId
                            + " where cf.collection_id = any(:collections) and fi.status = 'ready')"
                            + " order by " + distance + " limit :k)"
                            + " select file_id, chunk_index, 1 - distance as score from hits order by distance")
                    .param("q", FileStore.arrayLiteral(query)).param("k", topK)
                    .param("collections", collectionIds.toArray(UUID[]::new))
                    .query((rs, row) -> new Hit(rs.getObject("file_id", UUID.class), rs.getInt("chunk_index"),
                            rs.getDouble("score")))
                    .list();
        });
    }
}
