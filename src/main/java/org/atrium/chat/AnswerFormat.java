package org.atrium.chat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.atrium.providers.ResponseFormat;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The shape an answer must take: free text, any JSON object, or JSON matching a schema. Each provider kind gets it in
 * its own words (see {@link ResponseFormat}).
 *
 * @param type   {@code text}, {@code json_object} or {@code json_schema}
 * @param name   for {@code json_schema}: the schema's name (letters, digits, {@code _} and {@code -}, at most 64)
 * @param schema for {@code json_schema}: a JSON Schema object of at most {@value #MAX_SCHEMA_CHARS} characters
 */
@Schema(description = "The shape the answer must take.")
public record AnswerFormat(
        @Schema(example = "json_schema", allowableValues = {"text", "json_object", "json_schema"})
        @NotNull @Pattern(regexp = "text|json_object|json_schema") String type,
        @Schema(example = "grant_summary", nullable = true)
        @Nullable @Size(min = 1, max = 64) @Pattern(regexp = "[A-Za-z0-9_-]+") String name,
        @Schema(description = "For `json_schema`: the JSON Schema (an object).", nullable = true,
                example = "{\"type\": \"object\", \"properties\": {\"deadline\": {\"type\": \"string\"}}}")
        @Nullable JsonNode schema) {

    /** Longest schema, as JSON text. */
    public static final int MAX_SCHEMA_CHARS = 16_384;

    /** @return whether a schema object of a bounded size is given exactly for {@code json_schema} */
    @JsonIgnore
    @AssertTrue(message = "a schema (a JSON object of at most " + MAX_SCHEMA_CHARS + " characters) is given for"
            + " json_schema, and only for it")
    public boolean isSchemaConsistent() {
        if (!"json_schema".equals(type)) {
            return schema == null || schema.isNull();
        }
        return schema != null && schema.isObject() && schema.toString().length() <= MAX_SCHEMA_CHARS;
    }

    /** @return the provider-neutral format */
    ResponseFormat toProvider() {
        return switch (type) {
            case "json_object" -> ResponseFormat.jsonObject();
            case "json_schema" -> ResponseFormat.jsonSchema(name == null ? "response" : name,
                    java.util.Objects.requireNonNull(schema));
            default -> ResponseFormat.text();
        };
    }
}
