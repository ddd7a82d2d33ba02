package org.atrium.compat.anthropic;

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
 * Anthropic's Messages request, as its clients send it. Fields Atrium does not take ({@code metadata},
 * {@code top_k}, {@code thinking}, {@code service_tier}, ...) are ignored.
 *
 * @param model         a catalogue id, {@code preset:<id>}, or a provider's model id
 * @param maxTokens     the most tokens to generate (required, as Anthropic requires it)
 * @param system        a string or an array of text blocks
 * @param messages      the conversation, alternating user and assistant
 * @param tools         tools the model may call
 * @param toolChoice    whether and which tool the model must call
 * @param temperature   0 to 1
 * @param topP          nucleus sampling
 * @param stopSequences sequences that stop the answer
 * @param stream        answer with Anthropic's server-sent events
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "AnthropicMessagesRequest", description = "An Anthropic Messages request.")
record MessagesRequest(
        @Schema(example = "claude/claude-sonnet-4-5", description = "A catalogue id, `preset:<id>`, or a provider's"
                + " model id (the first connection offering it).")
        @NotBlank @Size(max = 300) String model,
        @JsonProperty("max_tokens") @Schema(example = "1024")
        @NotNull @Min(1) @Max(1_000_000) Integer maxTokens,
        @Schema(description = "A string or an array of text blocks.", nullable = true, example = "Be brief.")
        @Nullable JsonNode system,
        @Schema(description = "The conversation.",
                example = "[{\"role\": \"user\", \"content\": \"Which rooms need lab coats?\"}]")
        @NotNull @Size(min = 1, max = 2_000) List<@NotNull @Valid Message> messages,
        @Schema(nullable = true, example = "[{\"name\": \"get_weather\", \"input_schema\": {\"type\": \"object\"}}]")
        @Nullable @Size(max = 128) List<@NotNull @Valid Tool> tools,
        @JsonProperty("tool_choice") @Schema(nullable = true, example = "{\"type\": \"auto\"}")
        @Nullable @Valid ToolChoice toolChoice,
        @Schema(example = "0.2", nullable = true) @Nullable @DecimalMin("0") @DecimalMax("1") Double temperature,
        @JsonProperty("top_p") @Schema(example = "0.9", nullable = true)
        @Nullable @DecimalMin("0") @DecimalMax("1") Double topP,
        @JsonProperty("stop_sequences") @Schema(nullable = true, example = "[\"\\n\\nHuman:\"]")
        @Nullable @Size(max = 16) List<@NotNull @Size(min = 1, max = 100) String> stopSequences,
        @Schema(nullable = true, example = "true") @Nullable Boolean stream) {

    /** Whether the answer streams. */
    boolean streams() {
        return Boolean.TRUE.equals(stream);
    }

    /**
     * One message.
     *
     * @param role    {@code user} or {@code assistant}
     * @param content a string, or an array of blocks: {@code text}, {@code image}, {@code tool_use} (assistant),
     *                {@code tool_result} (user)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "AnthropicMessage", description = "A message of the conversation.")
    record Message(@Schema(example = "user") @NotNull @Pattern(regexp = "user|assistant",
            message = "must be user or assistant") String role,
                   @Schema(description = "A string or an array of content blocks.") @NotNull JsonNode content) {
    }

    /**
     * A tool the model may call.
     *
     * @param type        none or {@code custom} (Anthropic's server tools are not supported)
     * @param name        letters, digits, {@code _} and {@code -}, at most 64
     * @param description what it does
     * @param inputSchema a JSON Schema object
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "AnthropicTool", description = "A tool the model may call.")
    record Tool(@Schema(nullable = true) @Nullable @Pattern(regexp = "custom",
            message = "must be custom (Anthropic's server tools are not supported)") String type,
                @NotBlank @Size(max = 64) @Pattern(regexp = "[a-zA-Z0-9_-]+",
                        message = "is 1 to 64 letters, digits, '_' or '-'") String name,
                @Schema(nullable = true) @Nullable @Size(max = 4_096) String description,
                @JsonProperty("input_schema") @Schema(nullable = true) @Nullable JsonNode inputSchema) {
    }

    /**
     * Whether and which tool the model must call.
     *
     * @param type {@code auto}, {@code any}, {@code tool} or {@code none}
     * @param name with {@code tool}: the tool
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "AnthropicToolChoice", description = "Whether and which tool the model must call.")
    record ToolChoice(@NotNull @Pattern(regexp = "auto|any|tool|none",
            message = "must be auto, any, tool or none") String type,
                      @Schema(nullable = true) @Nullable @Size(max = 64) String name) {
    }
}
