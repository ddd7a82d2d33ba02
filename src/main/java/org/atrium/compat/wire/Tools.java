package org.atrium.compat.wire;

import org.atrium.platform.AtriumException;
import org.atrium.providers.ToolDefinition;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Tools as every compatibility API declares and calls them: a name, a description, JSON arguments. */
public final class Tools {

    private Tools() {
    }

    /**
     * @param name        the tool's name, already checked
     * @param description what it does
     * @param schema      its arguments' JSON Schema; none means no arguments
     * @param field       the schema's field, as the client sent it, for the error
     * @return the definition
     * @throws AtriumException {@code validation_failed} when the schema is not an object
     */
    public static ToolDefinition definition(String name, @Nullable String description, @Nullable JsonNode schema,
                                    String field) {
        JsonNode parameters = schema;
        if (parameters == null || parameters.isNull()) {
            ObjectNode none = JsonNodeFactory.instance.objectNode();
            none.put("type", "object");
            none.putObject("properties");
            parameters = none;
        }
        if (!parameters.isObject()) {
            throw AtriumException.invalidField(field, "is a JSON Schema object");
        }
        return new ToolDefinition(name, description, parameters);
    }

    /**
     * @param json      reads the arguments
     * @param arguments a tool call's arguments, as the model wrote them
     * @return them as an object; arguments that are not a JSON object are kept as text under {@code arguments}, since
     *         a model's malformed arguments are the caller's to see
     */
    public static JsonNode arguments(JsonMapper json, String arguments) {
        try {
            JsonNode parsed = json.readTree(arguments.isBlank() ? "{}" : arguments);
            if (parsed.isObject()) {
                return parsed;
            }
        } catch (RuntimeException notJson) {
            // Kept as text below.
        }
        return json.createObjectNode().put("arguments", arguments);
    }
}
