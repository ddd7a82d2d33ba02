package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A file found by retrieval grouped by file: ranked by its best chunk.
 *
 * @param fileId       the file
 * @param fileName     its name
 * @param collectionId the requested collection it was found through
 * @param metadata     the key-value metadata given at upload
 * @param score        its best chunk's score
 * @param chunks       its best chunks, best first
 */
@Schema(description = "A file found by retrieval, with its best chunks.")
public record RetrievedFile(
        UUID fileId,
        @Schema(example = "handbook.pdf") String fileName,
        UUID collectionId,
        @Schema(example = "{\"department\": \"chemistry\"}") Map<String, String> metadata,
        @Schema(example = "0.031") double score,
        List<RetrievedChunk> chunks) {

    /** Freezes the collections. */
    public RetrievedFile {
        metadata = Map.copyOf(metadata);
        chunks = List.copyOf(chunks);
    }
}
