package org.atrium.chat;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.UUID;

/**
 * A message the owner writes: a question, a system message or a tool's result, with the knowledge it grounds on.
 *
 * @param role          {@code user}, {@code system} or {@code tool} (answers are written by {@link ChatAnswers})
 * @param content       its text, at most {@link ChatService#MAX_CONTENT_LENGTH} characters
 * @param images        a question's images, at most {@link ChatService#MAX_IMAGES}: data URLs of PNG, JPEG, GIF or
 *                      WebP images, or http(s) URLs the provider fetches
 * @param toolCallId    a tool message's call: one the answer it follows made, not yet answered on this branch
 * @param collectionIds collections the caller may read, to ground on
 * @param fileIds       files the caller may read, to ground on; together with the collections at most
 *                      {@link ChatService#MAX_ATTACHMENTS}
 */
public record NewMessage(MessageRole role, String content, List<String> images, @Nullable String toolCallId,
                         List<UUID> collectionIds, List<UUID> fileIds) {

    /** Freezes the lists. */
    public NewMessage {
        images = List.copyOf(images);
        collectionIds = List.copyOf(collectionIds);
        fileIds = List.copyOf(fileIds);
    }

    /** @return a question without images or attachments */
    public static NewMessage question(String content) {
        return new NewMessage(MessageRole.USER, content, List.of(), null, List.of(), List.of());
    }
}
