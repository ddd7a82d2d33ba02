package org.atrium.knowledge;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What to retrieve, and how.
 *
 * @param query         the user's words
 * @param collectionIds collections to search; each must be readable by the caller
 * @param topK          how many results (chunks, or files when grouped) to return, 1 to {@value #MAX_TOP_K}
 * @param offset        how many results to skip first (paging), 0 to {@value #MAX_DEPTH} minus {@code topK}
 * @param mode          how to rank
 * @param groupBy       chunks, or files with their best chunks
 * @param chunksPerFile when grouped by file, how many of each file's best chunks to return, 1 to
 *                      {@value #MAX_CHUNKS_PER_FILE}
 * @param metadata      only files whose metadata has, for every key, one of the values listed
 * @param fileIds       only chunks of these files (held by the collections); empty: every file of the collections
 */
public record RetrievalQuery(String query, List<UUID> collectionIds, int topK, int offset, Mode mode, GroupBy groupBy,
                             int chunksPerFile, Map<String, List<String>> metadata, List<UUID> fileIds) {

    /** The longest query, in characters. */
    public static final int MAX_QUERY_LENGTH = 8000;
    /** The most results one request may ask for. */
    public static final int MAX_TOP_K = 100;
    /** How deep paging may go: {@code offset + topK} at most. */
    public static final int MAX_DEPTH = 1000;
    /** The most chunks per file when grouped by file. */
    public static final int MAX_CHUNKS_PER_FILE = 10;

    /** The most files one request may be restricted to. */
    public static final int MAX_FILES = 100;

    /** Freezes the lists. */
    public RetrievalQuery {
        collectionIds = List.copyOf(collectionIds);
        metadata = Map.copyOf(metadata);
        fileIds = List.copyOf(fileIds);
    }

    /** A query over every file of the collections. */
    public RetrievalQuery(String query, List<UUID> collectionIds, int topK, int offset, Mode mode, GroupBy groupBy,
                          int chunksPerFile, Map<String, List<String>> metadata) {
        this(query, collectionIds, topK, offset, mode, groupBy, chunksPerFile, metadata, List.of());
    }

    /** How results are ranked. */
    public enum Mode {
        /** Keyword and vector rankings fused by reciprocal rank. */
        HYBRID,
        /** Cosine similarity of embeddings. */
        VECTOR,
        /** BM25-like keyword ranking. */
        KEYWORD
    }

    /** What a result is. */
    public enum GroupBy {
        /** Each result is a chunk. */
        CHUNK,
        /** Each result is a file with its best chunks. */
        FILE
    }
}
