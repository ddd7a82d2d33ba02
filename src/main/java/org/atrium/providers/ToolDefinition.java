package org.atrium.providers;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A function the model may call.
 *
 * @param name        its name (letters, digits, {@code _} and {@code -}, as every provider accepts)
 * @param description what it does, for the model
 * @param parameters  a JSON Schema object describing its arguments
 */
public record ToolDefinition(String name, @Nullable String description, JsonNode parameters) {

    /** Requires a name and an object schema. */
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parameters, "parameters");
        if (!validName(name)) {
            throw new IllegalArgumentException("A tool name is 1 to 64 letters, digits, '_' or '-'");
        }
        if (!parameters.isObject()) {
            throw new IllegalArgumentException("A tool's parameters are a JSON Schema object");
        }
    }

    static boolean validName(String name) {
        return name.matches("[a-zA-Z0-9_-]{1,64}");
    }
}
