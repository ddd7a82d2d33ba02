package org.atrium.compat.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import java.util.List;

/**
 * OpenAI's chat completion request, as its clients send it. Fields Atrium does not take (logprobs, penalties,
 * {@code parallel_tool_calls}, metadata, ...) are ignored, as OpenAI-compatible servers commonly do; values it cannot
 * honour ({@code n} above 1) are refused.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "OpenAiChatCompletionRequest", description = "An OpenAI chat completion request.")
record ChatCompletionRequest(
        @Schema(example = "research-gateway/gpt-4o-mini", description = "A catalogue id, `preset:<id>`, or a"
                + " provider's model id (the first connection offering it).")
        @NotBlank @Size(max = 300) String model,
        @Schema(description = "The conversation.",
                example = "[{\"role\": \"user\", \"content\": \"Which rooms need lab coats?\"}]")
        @NotNull @Size(min = 1, max = 2_000) List<@NotNull @Valid Message> messages,
        @Schema(description = "Stream the answer as server-sent events.", nullable = true, example = "true")
        @Nullable Boolean stream,
        @JsonProperty("stream_options") @Schema(nullable = true, example = "{\"include_usage\": true}")
        @Nullable @Valid StreamOptions streamOptions,
        @Schema(example = "0.2", nullable = true) @Nullable @DecimalMin("0") @DecimalMax("2") Double temperature,
        @JsonProperty("top_p") @Schema(example = "0.9", nullable = true)
        @Nullable @DecimalMin("0") @DecimalMax("1") Double topP,
        @JsonProperty("max_tokens") @Schema(example = "1024", nullable = true)
        @Nullable @Min(1) @Max(1_000_000) Integer maxTokens,
        @JsonProperty("max_completion_tokens") @Schema(example = "1024", nullable = true)
        @Nullable @Min(1) @Max(1_000_000) Integer maxCompletionTokens,
        @Schema(description = "A stop sequence or up to 4.", nullable = true, example = "[\"\\n\\nQuestion:\"]")
        @Nullable JsonNode stop,
        @Schema(example = "42", nullable = true) @Nullable Long seed,
        @Schema(example = "1", nullable = true, description = "Only 1 is supported.")
        @Nullable @Min(value = 1, message = "only n=1 is supported") @Max(value = 1,
                message = "only n=1 is supported") Integer n,
        @Schema(nullable = true, description = "The end user, for the provider's abuse monitoring; not stored.",
                example = "script-7")
        @Nullable @Size(max = 256) String user,
        @Schema(nullable = true, example = "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\","
                + " \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}]")
        @Nullable @Size(max = 128) List<@NotNull @Valid Tool> tools,
        @JsonProperty("tool_choice")
        @Schema(nullable = true, description = "`none`, `auto`, `required` or a named function.", example = "auto")
        @Nullable JsonNode toolChoice,
        @JsonProperty("response_format") @Schema(nullable = true, example = "{\"type\": \"json_object\"}")
        @Nullable @Valid ResponseFormat responseFormat,
        @Schema(nullable = true, description = "Open WebUI's knowledge: files and collections (knowledge) to ground"
                + " the answer on, each by id; those the caller may not read are skipped.",
                example = "[{\"type\": \"collection\", \"id\": \"5f0c6c1e-8a4b-4b5e-9d3c-2a1b0c9d8e7f\"}]")
        @Nullable @Size(max = 20) List<@NotNull @Valid KnowledgeReference> files) {

    /** Whether the answer streams. */
    boolean streams() {
        return Boolean.TRUE.equals(stream);
    }

    /** Whether a streamed answer ends with a usage chunk. */
    boolean includesUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    /**
     * One message.
     *
     * @param role       {@code system}, {@code developer} (taken as system), {@code user}, {@code assistant} or
     *                   {@code tool}
     * @param content    a string, an array of parts ({@code text}, {@code image_url}), or null (an assistant message
     *                   that only calls tools)
     * @param name       the speaker's name (not sent on)
     * @param toolCalls  an assistant message's tool calls
     * @param toolCallId a tool message's call id
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiMessage", description = "A message of the conversation.")
    record Message(
            @Schema(example = "user") @NotNull @Pattern(regexp = "system|developer|user|assistant|tool",
                    message = "must be system, developer, user, assistant or tool") String role,
            @Schema(description = "A string or an array of `text` and `image_url` parts.", nullable = true)
            @Nullable JsonNode content,
            @Schema(nullable = true) @Nullable @Size(max = 256) String name,
            @JsonProperty("tool_calls") @Schema(nullable = true)
            @Nullable @Size(max = 128) List<@NotNull @Valid ToolCall> toolCalls,
            @JsonProperty("tool_call_id") @Schema(nullable = true) @Nullable @Size(max = 256) String toolCallId) {
    }

    /**
     * A tool call an assistant message made.
     *
     * @param id       the call's id
     * @param type     {@code function}
     * @param function what it called
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiToolCall", description = "A tool call of an assistant message.")
    record ToolCall(@NotBlank @Size(max = 256) String id,
                    @Nullable @Pattern(regexp = "function", message = "must be function") String type,
                    @NotNull @Valid FunctionCall function) {
    }

    /**
     * The function a tool call called.
     *
     * @param name      the function's name
     * @param arguments its arguments, as JSON text
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiFunctionCall", description = "The function called and its arguments (JSON text).")
    record FunctionCall(@NotBlank @Size(max = 64) String name, @NotNull String arguments) {
    }

    /**
     * A tool the model may call.
     *
     * @param type     {@code function}
     * @param function the function
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiTool", description = "A tool the model may call.")
    record Tool(@NotNull @Pattern(regexp = "function", message = "must be function") String type,
                @NotNull @Valid Function function) {
    }

    /**
     * A function the model may call.
     *
     * @param name        letters, digits, {@code _} and {@code -}, at most 64
     * @param description what it does
     * @param parameters  a JSON Schema object (none: no arguments)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiFunction", description = "A function the model may call.")
    record Function(@NotBlank @Size(max = 64) @Pattern(regexp = "[a-zA-Z0-9_-]+",
            message = "is 1 to 64 letters, digits, '_' or '-'") String name,
                    @Nullable @Size(max = 4_096) String description,
                    @Schema(nullable = true) @Nullable JsonNode parameters) {
    }

    /**
     * The answer's shape.
     *
     * @param type       {@code text}, {@code json_object} or {@code json_schema}
     * @param jsonSchema for {@code json_schema}: its name and schema
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiResponseFormat", description = "The shape the answer must take.")
    record ResponseFormat(@NotNull @Pattern(regexp = "text|json_object|json_schema",
            message = "must be text, json_object or json_schema") String type,
                          @JsonProperty("json_schema") @Nullable @Valid JsonSchema jsonSchema) {
    }

    /**
     * A named JSON Schema.
     *
     * @param name   letters, digits, {@code _} and {@code -}, at most 64
     * @param schema the schema (an object)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiJsonSchema", description = "A named JSON Schema.")
    record JsonSchema(@NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9_-]+",
            message = "is 1 to 64 letters, digits, '_' or '-'") String name,
                      @Nullable JsonNode schema) {
    }

    /**
     * A file or collection to ground the answer on, as Open WebUI names them.
     *
     * @param type {@code file} or {@code collection}
     * @param id   its id
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiKnowledgeReference", description = "A file or a collection (Open WebUI's knowledge) to ground the answer on.")
    record KnowledgeReference(@Schema(example = "collection") @NotNull @Pattern(regexp = "file|collection",
            message = "must be file or collection") String type,
                              @Schema(example = "5f0c6c1e-8a4b-4b5e-9d3c-2a1b0c9d8e7f") @NotNull
                              @Pattern(regexp = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                                      message = "is an id") String id) {
    }

    /**
     * Streaming options.
     *
     * @param includeUsage end the stream with a chunk carrying the usage
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiStreamOptions", description = "Streaming options.")
    record StreamOptions(@JsonProperty("include_usage") @Nullable Boolean includeUsage) {
    }
}
