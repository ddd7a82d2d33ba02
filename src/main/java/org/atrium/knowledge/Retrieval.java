package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.UUID;

/**
 * What retrieval found.
 *
 * @param mode       how results were ranked
 * @param chunks     the best chunks, best first (empty when grouped by file)
 * @param files      the best files with their best chunks, best first (empty unless grouped by file)
 * @param nextOffset the offset of the next page, or null when there are no more results
 * @param skipped    requested collections that could not be searched, and why
 */
@Schema(description = "Retrieval results.")
public record Retrieval(
        @Schema(example = "hybrid") String mode,
        List<RetrievedChunk> chunks,
        List<RetrievedFile> files,
        @Schema(example = "10", nullable = true, description = "The offset of the next page; null when there are no"
                + " more results.") @Nullable Integer nextOffset,
        List<Skipped> skipped) {

    /** Freezes the lists. */
    public Retrieval {
        chunks = List.copyOf(chunks);
        files = List.copyOf(files);
        skipped = List.copyOf(skipped);
    }

    /**
     * A collection that was not searched.
     *
     * @param collectionId the collection
     * @param code         a stable code, for example {@code embedding_not_configured}
     * @param reason       what to do about it
     */
    @Schema(description = "A requested collection that could not be searched.")
    public record Skipped(UUID collectionId, @Schema(example = "embedding_not_configured") String code,
                          String reason) {
    }
}
