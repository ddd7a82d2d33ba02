package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.util.UUID;

/**
 * A passage an answer is grounded on.
 *
 * @param fileId       the file
 * @param collectionId the collection it was found through, or {@code null} for a file attached directly
 * @param chunkIndex   the chunk's position in the file
 * @param startChar    where the passage starts in the file's extracted text
 * @param endChar      where it ends (exclusive)
 * @param score        its retrieval score
 */
@Schema(description = "A passage an answer is grounded on.")
public record Citation(UUID fileId, @Nullable UUID collectionId, @Schema(example = "3") int chunkIndex,
                       @Schema(example = "1200") int startChar, @Schema(example = "1850") int endChar,
                       @Schema(example = "0.82") double score) {
}
