package org.atrium.knowledge;

import java.util.List;
import java.util.UUID;

/**
 * Finds the chunks nearest to a query vector. Chunk rows in PostgreSQL are the truth: an index only ever returns
 * chunks of files that are ready in the space and held by one of the given collections at the time of the search.
 */
interface VectorIndex {

    /** A chunk and its cosine similarity to the query. */
    record Hit(UUID fileId, int chunkIndex, double score) {
    }

    /** @return {@code pgvector} or {@code in-process}, for logs and the audit */
    String kind();

    /** Called when a space's dimension becomes known, before its first chunks are written. */
    void prepareSpace(int spaceId, int dimensions);

    /**
     * @param spaceId       the embedding space of the query vector
     * @param dimensions    the space's dimension
     * @param query         the query vector
     * @param collectionIds collections the caller may read
     * @param topK          how many to return at most
     * @return the best hits, best first
     */
    List<Hit> search(int spaceId, int dimensions, float[] query, List<UUID> collectionIds, int topK);
}
