package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One message of a chat.
 *
 * @param id            its id
 * @param chatId        its chat
 * @param parentId      the message it follows, or {@code null} for a first message; siblings share a parent
 * @param role          {@code user}, {@code assistant}, {@code system} or {@code tool}
 * @param content       its text (of an answer in progress: what has been saved so far; of a tool message: the
 *                      tool's result)
 * @param images        a question's images: {@code data:image/...;base64,...} or http(s) URLs (empty otherwise)
 * @param toolCallId    a tool message's call, of the answer it follows; otherwise {@code null}
 * @param toolName      a tool message's function; otherwise {@code null}
 * @param collectionIds the collections it grounds on (links only; a deleted collection's link is gone)
 * @param fileIds       the files it grounds on (links only)
 * @param status        {@code complete}, or for answers {@code in_progress}, {@code stopped}, {@code failed}
 * @param answer        for an answer: model, connection, parameters, citations, usage, timings, failure; otherwise
 *                      {@code null}
 * @param createdAt     when it was created
 * @param updatedAt     when its content or status last changed
 */
@Schema(description = "A message of a chat.")
public record ChatMessage(UUID id, UUID chatId, @Nullable UUID parentId, MessageRole role,
                          @Schema(example = "Which rooms require lab coats?") String content,
                          @ArraySchema(arraySchema = @Schema(description = "A question's images (data or http(s)"
                                  + " URLs)."), schema = @Schema(example = "https://intranet.example.org/b1.png"))
                          List<String> images,
                          @Schema(example = "call_7Hq2", nullable = true) @Nullable String toolCallId,
                          @Schema(example = "room_schedule", nullable = true) @Nullable String toolName,
                          List<UUID> collectionIds, List<UUID> fileIds, MessageStatus status,
                          @Nullable AnswerDetails answer, Instant createdAt, Instant updatedAt) {
}
