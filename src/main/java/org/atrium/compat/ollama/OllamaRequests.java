package org.atrium.compat.ollama;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import java.util.List;

/** Ollama's request bodies, as its clients send them; fields Atrium does not take ({@code keep_alive}, ...) are ignored. */
final class OllamaRequests {

    private OllamaRequests() {
    }

    /**
     * {@code /api/chat}.
     *
     * @param model    an Ollama model name or {@code <connection>/<model>}
     * @param messages the conversation
     * @param tools    functions the model may call (OpenAI's function shape, as Ollama takes them)
     * @param format   {@code "json"} or a JSON Schema object
     * @param options  sampling options
     * @param stream   false for one whole answer; streams by default, as Ollama does
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaChat", description = "An Ollama chat request.")
    record Chat(@Schema(example = "llama3.2") @NotBlank @Size(max = 300) String model,
                @Schema(example = "[{\"role\": \"user\", \"content\": \"Why is the sky blue?\"}]")
                @NotNull @Size(min = 1, max = 2_000) List<@NotNull @Valid Message> messages,
                @Schema(nullable = true, example = "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\":"
                        + " {\"type\": \"object\"}}}]")
                @Nullable @Size(max = 128) List<@NotNull @Valid Tool> tools,
                @Schema(nullable = true, description = "`json` or a JSON Schema.", example = "json")
                @Nullable JsonNode format,
                @Schema(nullable = true, example = "{\"temperature\": 0.2}") @Nullable @Valid Options options,
                @Schema(nullable = true, description = "Defaults to true.", example = "false") @Nullable Boolean stream) {
    }

    /**
     * {@code /api/generate}.
     *
     * @param model   an Ollama model name or {@code <connection>/<model>}
     * @param prompt  the prompt
     * @param system  the system prompt
     * @param images  base64 images
     * @param format  {@code "json"} or a JSON Schema object
     * @param options sampling options
     * @param stream  false for one whole answer; streams by default
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaGenerate", description = "An Ollama generate request.")
    record Generate(@Schema(example = "llama3.2") @NotBlank @Size(max = 300) String model,
                    @Schema(example = "Why is the sky blue?") @NotNull String prompt,
                    @Schema(nullable = true, example = "Be brief.") @Nullable String system,
                    @Schema(nullable = true, example = "[\"iVBORw0KGgo...\"]")
                    @Nullable @Size(max = 16) List<@NotNull String> images,
                    @Schema(nullable = true, example = "json") @Nullable JsonNode format,
                    @Schema(nullable = true, example = "{\"temperature\": 0.2}") @Nullable @Valid Options options,
                    @Schema(nullable = true, example = "false") @Nullable Boolean stream) {
    }

    /**
     * {@code /api/embed}.
     *
     * @param model the caller's embedding model
     * @param input a string or an array of strings
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaEmbed", description = "An Ollama embed request.")
    record Embed(@Schema(example = "nomic-embed-text") @NotBlank @Size(max = 300) String model,
                 @Schema(description = "A string or an array of strings.", example = "[\"kiwi vines\"]")
                 @NotNull JsonNode input) {
    }

    /**
     * One chat message.
     *
     * @param role      {@code system}, {@code user}, {@code assistant} or {@code tool}
     * @param content   its text
     * @param images    a user message's base64 images
     * @param toolCalls an assistant message's tool calls
     * @param toolName  a tool message's tool
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaMessage", description = "A message of the conversation.")
    record Message(@Schema(example = "user") @NotNull @Pattern(regexp = "system|user|assistant|tool",
            message = "must be system, user, assistant or tool") String role,
                   @Schema(nullable = true) @Nullable String content,
                   @Schema(nullable = true) @Nullable @Size(max = 16) List<@NotNull String> images,
                   @JsonProperty("tool_calls") @Schema(nullable = true)
                   @Nullable @Size(max = 128) List<@NotNull @Valid ToolCall> toolCalls,
                   @JsonProperty("tool_name") @Schema(nullable = true) @Nullable @Size(max = 64) String toolName) {
    }

    /**
     * A tool call of an assistant message.
     *
     * @param id       its id, where the client kept one
     * @param function what it called
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaToolCall")
    record ToolCall(@Nullable @Size(max = 256) String id, @NotNull @Valid Called function) {
    }

    /**
     * A called function.
     *
     * @param name      its name
     * @param arguments its arguments, an object
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaCalled")
    record Called(@NotBlank @Size(max = 64) String name, @Nullable JsonNode arguments) {
    }

    /**
     * A tool the model may call.
     *
     * @param type     {@code function}
     * @param function the function
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaTool")
    record Tool(@Nullable @Pattern(regexp = "function", message = "must be function") String type,
                @NotNull @Valid Function function) {
    }

    /**
     * A function the model may call.
     *
     * @param name        letters, digits, {@code _} and {@code -}, at most 64
     * @param description what it does
     * @param parameters  a JSON Schema object
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaFunction")
    record Function(@NotBlank @Size(max = 64) @Pattern(regexp = "[a-zA-Z0-9_-]+",
            message = "is 1 to 64 letters, digits, '_' or '-'") String name,
                    @Nullable @Size(max = 4_096) String description,
                    @Nullable JsonNode parameters) {
    }

    /**
     * The options Atrium passes on; others ({@code num_ctx}, {@code top_k}, ...) are ignored.
     *
     * @param temperature sampling temperature
     * @param topP        nucleus sampling
     * @param numPredict  the most tokens to generate (-1 or 0: the provider's default)
     * @param stop        stop sequences
     * @param seed        the seed
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OllamaOptions")
    record Options(@Nullable @DecimalMin("0") @DecimalMax("2") Double temperature,
                   @JsonProperty("top_p") @Nullable @DecimalMin("0") @DecimalMax("1") Double topP,
                   @JsonProperty("num_predict") @Nullable @Max(1_000_000) Integer numPredict,
                   @Nullable @Size(max = 16) List<@NotNull @Size(min = 1, max = 100) String> stop,
                   @Nullable Long seed) {
    }
}
