package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A message of the branch being shown, with its siblings.
 *
 * @param message  the message
 * @param siblings where it stands among the messages with the same parent
 */
@Schema(description = "A message of the branch being shown, with its siblings.")
public record BranchMessage(ChatMessage message, Siblings siblings) {
}
