package org.atrium.providers;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * The shape the answer must take. OpenAI-compatible servers get {@code response_format}, Ollama {@code format},
 * Gemini {@code responseMimeType}/{@code responseJsonSchema}; Anthropic has no such parameter in its stable API, so it
 * gets the instruction (and the schema) in its system prompt.
 *
 * @param type   text, any JSON object, or JSON matching a schema
 * @param name   the schema's name (OpenAI requires one; {@code response} when absent)
 * @param schema for {@link Type#JSON_SCHEMA}: the JSON Schema
 */
public record ResponseFormat(Type type, @Nullable String name, @Nullable JsonNode schema) {

    /** The kinds of format. */
    public enum Type {
        /** Free text (the default). */
        TEXT,
        /** Any JSON object. */
        JSON_OBJECT,
        /** JSON matching {@link ResponseFormat#schema()}. */
        JSON_SCHEMA
    }

    /** Requires a schema exactly for {@link Type#JSON_SCHEMA}. */
    public ResponseFormat {
        Objects.requireNonNull(type, "type");
        if ((type == Type.JSON_SCHEMA) != (schema != null)) {
            throw new IllegalArgumentException("A schema is given exactly for json_schema");
        }
    }

    /** @return free text */
    public static ResponseFormat text() {
        return new ResponseFormat(Type.TEXT, null, null);
    }

    /** @return any JSON object */
    public static ResponseFormat jsonObject() {
        return new ResponseFormat(Type.JSON_OBJECT, null, null);
    }

    /** @return JSON matching the schema */
    public static ResponseFormat jsonSchema(String name, JsonNode schema) {
        return new ResponseFormat(Type.JSON_SCHEMA, name, schema);
    }
}
