package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.UUID;

/**
 * A collection whose ingestion settled: a file of it just reached {@code ready} or {@code failed}, and none of its
 * files is queued or running any more. Sent after the change commits, with the counts read at that moment; when
 * files settle at the same time on several replicas, it may come more than once with the same counts.
 *
 * @param collectionId the collection
 * @param files        its files by ingestion status
 */
@Schema(description = "Everything queued in a collection is settled (server-sent event `collection.settled`).")
public record CollectionEvent(
        @Schema(example = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f") UUID collectionId,
        FileCounts files) {
}
