package org.atrium.chat;

import org.jspecify.annotations.Nullable;

/**
 * Changes to a chat; {@code null} keeps a value.
 *
 * @param title    a new title (may be empty), at most {@link ChatService#MAX_TITLE_LENGTH} characters
 * @param pinned   pin or unpin
 * @param archived archive or unarchive
 */
public record ChatChanges(@Nullable String title, @Nullable Boolean pinned, @Nullable Boolean archived) {
}
