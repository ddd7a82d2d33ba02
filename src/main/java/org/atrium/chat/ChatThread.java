package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/**
 * A chat with the branch being shown: its messages from the first to the tip ({@link Chat#currentMessageId()}),
 * each with its siblings.
 *
 * @param chat     the chat
 * @param messages the branch being shown, first message first; empty for a chat without messages
 */
@Schema(description = "A chat with the branch being shown, first message first.")
public record ChatThread(Chat chat, List<BranchMessage> messages) {
}
