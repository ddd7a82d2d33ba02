package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * What retrieval found.
 *
 * @param chunks  the best chunks, best first
 * @param skipped requested collections that could not be searched, and why
 */
@Schema(description = "Retrieval results.")
public record Retrieval(List<RetrievedChunk> chunks, List<Skipped> skipped) {

    /** Freezes the lists. */
    public Retrieval {
        chunks = List.copyOf(chunks);
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
