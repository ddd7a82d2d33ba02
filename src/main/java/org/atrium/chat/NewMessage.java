package org.atrium.chat;

import java.util.List;
import java.util.UUID;

/**
 * A message the owner writes: a question or a system message, with the knowledge it grounds on.
 *
 * @param role          {@code user} or {@code system} (answers are written by {@link ChatAnswers})
 * @param content       its text, at most {@link ChatService#MAX_CONTENT_LENGTH} characters
 * @param collectionIds collections the caller may read, to ground on
 * @param fileIds       files the caller may read, to ground on; together with the collections at most
 *                      {@link ChatService#MAX_ATTACHMENTS}
 */
public record NewMessage(MessageRole role, String content, List<UUID> collectionIds, List<UUID> fileIds) {

    /** @return a question without attachments */
    public static NewMessage question(String content) {
        return new NewMessage(MessageRole.USER, content, List.of(), List.of());
    }
}
