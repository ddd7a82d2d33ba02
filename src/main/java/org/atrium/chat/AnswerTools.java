package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.atrium.platform.AtriumException;
import org.atrium.providers.ToolChoice;
import org.atrium.providers.ToolDefinition;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tools offered to the model for one answer, stored with it so that a regeneration offers them again.
 *
 * @param functions  the functions, distinct by name
 * @param toolChoice {@code auto} (the default: the model decides), {@code none}, {@code required} (at least one
 *                   call), or the name of one of the functions (that one must be called)
 */
@Schema(description = "Tools the model may call for this answer. An answer that calls tools ends `complete` with"
        + " `toolCalls`; the caller runs them, adds each result as a `tool` message (`toolCallId`) after the answer"
        + " (the second result after the first), and asks for an answer to the last result.")
public record AnswerTools(
        @ArraySchema(arraySchema = @Schema(description = "The functions, distinct by name."))
        @NotNull @Size(min = 1, max = AnswerTools.MAX_FUNCTIONS) List<@NotNull @Valid AnswerTool> functions,
        @Schema(description = "`auto` (omitted: the model decides), `none`, `required`, or the name of one of the"
                + " functions, which must then be called.", example = "auto", nullable = true)
        @Nullable @Size(max = 64) String toolChoice) {

    /** Most functions offered to one answer. */
    public static final int MAX_FUNCTIONS = 128;
    private static final Set<String> MODES = Set.of("auto", "none", "required");

    /** Freezes the list. */
    public AnswerTools {
        functions = List.copyOf(functions);
    }

    /**
     * Checks what annotations cannot: distinct names, a schema that is an object, a choice that names an offered
     * function.
     *
     * @return these tools
     * @throws AtriumException {@code validation_failed} (400)
     */
    public AnswerTools checked() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < functions.size(); i++) {
            AnswerTool tool = functions.get(i);
            if (!names.add(tool.name())) {
                throw AtriumException.invalidField("tools.functions[" + i + "].name", "is offered twice");
            }
            if (tool.parameters() != null && !tool.parameters().isNull() && !tool.parameters().isObject()) {
                throw AtriumException.invalidField("tools.functions[" + i + "].parameters",
                        "is a JSON Schema object");
            }
        }
        if (toolChoice != null && !MODES.contains(toolChoice) && !names.contains(toolChoice)) {
            throw AtriumException.invalidField("tools.toolChoice", "is auto, none, required or the name of an"
                    + " offered function");
        }
        return this;
    }

    /** @return the functions as the providers take them */
    public List<ToolDefinition> definitions() {
        return functions.stream().map(tool -> new ToolDefinition(tool.name(), tool.description(),
                schema(tool.parameters()))).toList();
    }

    /** @return the choice as the providers take it, or {@code null} for the provider's default (auto) */
    public @Nullable ToolChoice choice() {
        if (toolChoice == null) {
            return null;
        }
        return MODES.contains(toolChoice) ? ToolChoice.Mode.valueOf(toolChoice.toUpperCase(Locale.ROOT))
                : ToolChoice.function(toolChoice);
    }

    private static JsonNode schema(@Nullable JsonNode parameters) {
        if (parameters != null && parameters.isObject()) {
            return parameters;
        }
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        none.put("type", "object");
        none.putObject("properties");
        return none;
    }
}
