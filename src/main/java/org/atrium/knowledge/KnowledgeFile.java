package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stored file with its ingestion in each embedding space it is indexed in.
 *
 * @param id         its id
 * @param name       the name it was uploaded with, for display only
 * @param mediaType  the type detected from its content
 * @param sizeBytes  its size
 * @param sha256     the SHA-256 of its bytes, hex
 * @param uploadedBy who uploaded it; null once that account is deleted
 * @param createdAt  when it was uploaded
 * @param indexes    its ingestion per embedding space
 * @param metadata   the key-value metadata given at upload (or set later), sorted by key
 */
@Schema(description = "A stored file and its ingestion status per embedding model.")
public record KnowledgeFile(
        @Schema(example = "5b0c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e") UUID id,
        @Schema(example = "handbook.pdf") String name,
        @Schema(example = "application/pdf") String mediaType,
        @Schema(example = "482113") long sizeBytes,
        @Schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") String sha256,
        @Schema(nullable = true) @Nullable UUID uploadedBy,
        Instant createdAt,
        List<Ingestion> indexes,
        @Schema(description = "Key-value metadata given at upload or set later, sorted by key.",
                example = "{\"department\": \"physics\", \"year\": \"2026\"}") Map<String, String> metadata) {

    /** Freezes the list and the metadata. */
    public KnowledgeFile {
        indexes = List.copyOf(indexes);
        metadata = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(metadata));
    }

    /**
     * The file's ingestion into one embedding model's index.
     *
     * @param connection    the provider connection of the model
     * @param model         the embedding model
     * @param status        where it stands
     * @param chunksDone    chunks embedded so far
     * @param chunksTotal   chunks in the file, once extracted
     * @param failureCode   a stable code when it failed
     * @param failureReason what went wrong and who can fix it, when it failed
     * @param credentialId  the credential the chunks were embedded with (none for the built-in model)
     * @param updatedAt     the last change
     */
    @Schema(description = "Ingestion into one embedding model's index.")
    public record Ingestion(
            @Schema(example = "openai") String connection,
            @Schema(example = "text-embedding-3-small") String model,
            @Schema(example = "embedding") IngestionStatus status,
            @Schema(example = "12") int chunksDone,
            @Schema(example = "40", nullable = true) @Nullable Integer chunksTotal,
            @Schema(example = "embedding_credential_missing", nullable = true) @Nullable String failureCode,
            @Schema(nullable = true) @Nullable String failureReason,
            @Schema(nullable = true) @Nullable UUID credentialId,
            Instant updatedAt) {
    }
}
