package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A call of a tool an answer made.
 *
 * @param id        the call's id, which the {@code tool} message answering it names ({@code toolCallId})
 * @param name      the function called
 * @param arguments its arguments as the model wrote them: JSON text, usually an object (not checked: a model's
 *                  malformed arguments are the caller's to see)
 */
@Schema(description = "A call of a tool the answer made; answer it with a `tool` message naming its `id`.")
public record AnswerToolCall(@Schema(example = "call_7Hq2") String id,
                             @Schema(example = "room_schedule") String name,
                             @Schema(example = "{\"room\": \"B1\"}") String arguments) {
}
