package org.atrium.knowledge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.UUID;

/**
 * Exact cosine search in this process, for servers without pgvector (the embedded default). Each search first asks
 * PostgreSQL which files are in the {@link SearchScope}, with their index generation, and searches only those: a
 * deleted or re-indexed file can never be returned, on any replica, and no event is needed to keep replicas
 * consistent. Vectors are loaded per (file, space, generation) on first use and kept, normalised, in a bounded memory
 * cache. There is no index to choose: every search is exact over its scope, the case pgvector's search chooses for
 * small scopes.
 */
final class InProcessVectorIndex implements VectorIndex {

    private record Key(UUID fileId, int spaceId, long generation) {
    }

    private record FileVectors(int[] chunkIndexes, float[][] vectors) {
    }

    private final JdbcClient jdbc;
    private final @Nullable PgVectorIndex vectorTables;
    private final Cache<Key, FileVectors> vectors;

    /**
     * @param vectorTables where vectors are stored when the database keeps them in pgvector's per-space tables (this
     *                     index then only searches), or null when they are in {@code chunks.embedding}
     */
    InProcessVectorIndex(JdbcClient jdbc, long maxBytes, @Nullable PgVectorIndex vectorTables) {
        this.jdbc = jdbc;
        this.vectorTables = vectorTables;
        this.vectors = Caffeine.newBuilder().maximumWeight(maxBytes)
                .<Key, FileVectors>weigher((key, file) -> 64 + file.chunkIndexes().length
                        * (16 + (file.vectors().length == 0 ? 0 : file.vectors()[0].length * 4)))
                .build();
    }

    @Override
    public String kind() {
        return "in-process";
    }

    @Override
    public void prepareSpace(int spaceId, int dimensions) {
        if (vectorTables != null) {
            vectorTables.prepareSpace(spaceId, dimensions);
        }
    }

    @Override
    public boolean vectorsInChunkRows() {
        return vectorTables == null;
    }

    @Override
    public void storeVectors(UUID fileId, int spaceId, int dimensions, List<FileStore.NewChunk> chunks) {
        if (vectorTables != null) {
            vectorTables.storeVectors(fileId, spaceId, dimensions, chunks);
        }
    }

    @Override
    public List<Hit> search(SearchScope scope, float[] query, int topK) {
        int spaceId = scope.spaceId();
        List<Key> candidates = scope.bind(jdbc.sql(scope.readyFiles("fi.file_id, fi.generation")))
                .query((rs, row) -> new Key(rs.getObject("file_id", UUID.class), spaceId, rs.getLong("generation")))
                .list();
        float[] q = normalised(query);
        PriorityQueue<Hit> best = new PriorityQueue<>(Hit.BEST_FIRST.reversed());
        for (Key key : candidates) {
            FileVectors file = vectors.get(key, this::load);
            for (int i = 0; i < file.chunkIndexes().length; i++) {
                float[] v = file.vectors()[i];
                if (v.length != q.length) {
                    continue;
                }
                double score = 0;
                for (int d = 0; d < v.length; d++) {
                    score += v[d] * q[d];
                }
                Hit hit = new Hit(key.fileId(), file.chunkIndexes()[i], score);
                if (best.size() < topK) {
                    best.add(hit);
                } else if (Hit.BEST_FIRST.compare(hit, best.peek()) < 0) {
                    best.poll();
                    best.add(hit);
                }
            }
        }
        List<Hit> hits = new ArrayList<>(best);
        hits.sort(Hit.BEST_FIRST);
        return hits;
    }

    private FileVectors load(Key key) {
        List<int[]> indexes = new ArrayList<>();
        List<float[]> loaded = new ArrayList<>();
        String source = vectorTables != null
                ? "chunk_vectors_" + key.spaceId() + " where file_id = :f and space_id = :s"
                : "chunks where file_id = :f and space_id = :s";
        jdbc.sql("select chunk_index, embedding::real[] as embedding from " + source + " order by chunk_index")
                .param("f", key.fileId()).param("s", key.spaceId())
                .query(rs -> {
                    indexes.add(new int[]{rs.getInt("chunk_index")});
                    Array array = rs.getArray("embedding");
                    Object[] values = (Object[]) array.getArray();
                    float[] vector = new float[values.length];
                    for (int d = 0; d < values.length; d++) {
                        vector[d] = ((Number) values[d]).floatValue();
                    }
                    loaded.add(normalised(vector));
                });
        return new FileVectors(indexes.stream().mapToInt(i -> i[0]).toArray(), loaded.toArray(float[][]::new));
    }

    private static float[] normalised(float[] vector) {
        double norm = 0;
        for (float value : vector) {
            norm += value * value;
        }
        if (norm == 0) {
            return vector.clone();
        }
        float scale = (float) (1 / Math.sqrt(norm));
        float[] result = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            result[i] = vector[i] * scale;
        }
        return result;
    }
}
