package org.atrium.knowledge;

import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Stores chunk vectors and finds the chunks nearest to a query vector. Chunk rows in PostgreSQL are the truth: an index
 * only ever returns chunks of files in the {@link SearchScope} at the time of the search.
 */
interface VectorIndex {

    /** A chunk and its cosine similarity to the query. */
    record Hit(UUID fileId, int chunkIndex, double score) {

        /**
         * Best first, ties broken by file and position: equal scores are common (repeated text), and an order that
         * depends on how many results were asked for would make pages overlap.
         */
        static final Comparator<Hit> BEST_FIRST = Comparator.comparingDouble(Hit::score).reversed()
                .thenComparing(Hit::fileId, VectorIndex::compareIds).thenComparingInt(Hit::chunkIndex);
    }

    /** Orders ids as PostgreSQL does (bytes, unsigned), so Java and SQL break ties alike. */
    static int compareIds(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /** @return {@code pgvector} or {@code in-process}, for logs and the audit */
    String kind();

    /** Called when a space's dimension becomes known, before its first chunks are written. */
    void prepareSpace(int spaceId, int dimensions);

    /** @return whether the vectors are written with the chunk rows ({@code chunks.embedding}) */
    boolean vectorsInChunkRows();

    /**
     * Writes the vectors of chunks just written, in the caller's transaction, replacing any with the same index.
     * Does nothing when {@link #vectorsInChunkRows()}.
     */
    void storeVectors(UUID fileId, int spaceId, int dimensions, List<FileStore.NewChunk> chunks);

    /**
     * @param scope what may be returned
     * @param query the query vector
     * @param limit how many to return at most
     * @return the best hits, best first
     */
    List<Hit> search(SearchScope scope, float[] query, int limit);
}
