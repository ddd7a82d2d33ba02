package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A function the model may call while answering; the caller runs it and sends its result as a {@code tool} message.
 *
 * @param name        letters, digits, {@code _} and {@code -}, at most 64
 * @param description what it does, for the model
 * @param parameters  its arguments' JSON Schema (an object); omitted: no arguments
 */
@Schema(description = "A function the model may call; the caller runs it and adds its result as a `tool` message.")
public record AnswerTool(
        @Schema(example = "room_schedule") @NotBlank @Size(max = 64)
        @Pattern(regexp = "[a-zA-Z0-9_-]+", message = "is 1 to 64 letters, digits, '_' or '-'") String name,
        @Schema(example = "The bookings of a room on a day.", nullable = true) @Nullable @Size(max = 4_096)
        String description,
        @Schema(description = "The arguments' JSON Schema (an object); omitted: no arguments.", nullable = true,
                example = "{\"type\": \"object\", \"properties\": {\"room\": {\"type\": \"string\"}},"
                        + " \"required\": [\"room\"]}")
        @Nullable JsonNode parameters) {
}
