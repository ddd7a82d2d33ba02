package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.Map;
import java.util.UUID;

/**
 * One chunk found by retrieval, with what a citation needs.
 *
 * @param fileId       the file it comes from
 * @param fileName     that file's name
 * @param collectionId the requested collection it was found through
 * @param chunkIndex   its position among the file's chunks, from 0
 * @param startChar    where it starts in the file's extracted text
 * @param endChar      where it ends (exclusive)
 * @param text         its text
 * @param score        how well it matches: cosine similarity (-1 to 1) in {@code vector} mode, a BM25 score (0 or
 *                     more) in {@code keyword} mode, the reciprocal-rank-fusion score in {@code hybrid} mode; compare
 *                     scores only within one response
 * @param metadata     the file's key-value metadata
 */
@Schema(description = "A chunk found by retrieval.")
public record RetrievedChunk(
        UUID fileId,
        @Schema(example = "handbook.pdf") String fileName,
        UUID collectionId,
        @Schema(example = "3") int chunkIndex,
        @Schema(example = "1840") int startChar,
        @Schema(example = "2712") int endChar,
        @Schema(example = "Lab coats must be worn at all times in rooms B1 to B4.") String text,
        @Schema(example = "0.83") double score,
        @Schema(example = "{\"department\": \"chemistry\"}") Map<String, String> metadata) {

    /** Freezes the metadata. */
    public RetrievedChunk {
        metadata = Map.copyOf(metadata);
    }
}
