package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A file as listed in one collection, with its ingestion into the collection's embedding model.
 *
 * @param fileId        the file
 * @param collectionId  the collection
 * @param name          the name it was uploaded with
 * @param mediaType     the type detected from its content
 * @param sizeBytes     its size
 * @param addedAt       when it was added to the collection
 * @param status        its ingestion into the collection's embedding model
 * @param chunksDone    chunks embedded so far
 * @param chunksTotal   chunks in the file, once extracted
 * @param failureCode   a stable code when it failed
 * @param failureReason what went wrong and who can fix it, when it failed
 * @param metadata      the key-value metadata given at upload (or set later), sorted by key
 */
@Schema(description = "A file in a collection, with its ingestion status for the collection's embedding model.")
public record CollectionFile(
        @Schema(example = "5b0c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e") UUID fileId,
        @Schema(example = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f") UUID collectionId,
        @Schema(example = "handbook.pdf") String name,
        @Schema(example = "application/pdf") String mediaType,
        @Schema(example = "482113") long sizeBytes,
        Instant addedAt,
        @Schema(example = "embedding") IngestionStatus status,
        @Schema(example = "12") int chunksDone,
        @Schema(example = "40", nullable = true) @Nullable Integer chunksTotal,
        @Schema(example = "embedding_credential_missing", nullable = true) @Nullable String failureCode,
        @Schema(example = "No credential for connection 'openai' is available to group 'Research': a group admin of "
                + "'Research' must add one, or an instance admin must share an instance credential with the group.",
                nullable = true) @Nullable String failureReason,
        @Schema(description = "Key-value metadata given at upload or set later, sorted by key.",
                example = "{\"department\": \"physics\", \"year\": \"2026\"}") Map<String, String> metadata) {

    /** Freezes the metadata. */
    public CollectionFile {
        metadata = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(metadata));
    }
}
