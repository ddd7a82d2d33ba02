package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.UUID;

/**
 * A chat as its owner sees it in a listing.
 *
 * @param id               its id
 * @param title            its title; empty until renamed (or titled by a model)
 * @param pinned           listed before the others
 * @param archived         put away: listed only with {@code archived=true}
 * @param currentMessageId the tip of the branch being shown, or {@code null} while the chat has no message
 * @param messageCount     how many messages it holds, on every branch
 * @param createdAt        when it was created
 * @param updatedAt        when its content last changed (a message, an answer, the title)
 */
@Schema(description = "A chat.")
public record Chat(UUID id, @Schema(example = "Lab safety questions") String title, boolean pinned, boolean archived,
                   @Nullable UUID currentMessageId, @Schema(example = "4") int messageCount, Instant createdAt,
                   Instant updatedAt) {
}
