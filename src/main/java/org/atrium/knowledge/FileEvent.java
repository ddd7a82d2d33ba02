package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.UUID;

/**
 * A live change of a file's ingestion, sent to everyone watching one of the collections it is in. Each event carries
 * the whole status, so a client that missed some (a reconnect, Redis unreachable for a moment) is current again with
 * the next one, or by reading the collection's files.
 *
 * @param fileId        the file
 * @param collectionIds the collections holding it whose embedding model this status is for
 * @param status        where ingestion stands
 * @param chunksDone    chunks embedded so far
 * @param chunksTotal   chunks in the file, once extracted
 * @param failureCode   a stable code when it failed
 * @param failureReason what went wrong and who can fix it
 */
@Schema(description = "A change of a file's ingestion status (server-sent event `file.status`).")
public record FileEvent(
        UUID fileId,
        List<UUID> collectionIds,
        @Schema(example = "embedding") IngestionStatus status,
        @Schema(example = "12") int chunksDone,
        @Schema(example = "40", nullable = true) @Nullable Integer chunksTotal,
        @Schema(nullable = true) @Nullable String failureCode,
        @Schema(nullable = true) @Nullable String failureReason) {

    /** Freezes the list. */
    public FileEvent {
        collectionIds = List.copyOf(collectionIds);
    }
}
