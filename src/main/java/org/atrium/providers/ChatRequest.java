package org.atrium.providers;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * A provider-neutral chat request. Parameters left null are not sent, so the provider's defaults apply (except
 * Anthropic's required {@code max_tokens}, which defaults to {@value #ANTHROPIC_DEFAULT_MAX_TOKENS}).
 *
 * @param model          the model id as the provider knows it
 * @param messages       the conversation, at least one message
 * @param tools          functions the model may call
 * @param responseFormat the answer's shape, null for free text
 * @param temperature    sampling temperature
 * @param topP           nucleus sampling
 * @param maxTokens      most output tokens
 * @param stop           stop sequences
 * @param seed           for reproducible sampling where supported (not Anthropic)
 */
public record ChatRequest(String model, List<ChatMessage> messages, List<ToolDefinition> tools,
                          @Nullable ResponseFormat responseFormat, @Nullable Double temperature, @Nullable Double topP,
                          @Nullable Integer maxTokens, List<String> stop, @Nullable Long seed) {

    /** Anthropic requires a limit; this one is used when the request has none. */
    public static final int ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

    /** Copies the lists; requires a model and a message. */
    public ChatRequest {
        Objects.requireNonNull(model, "model");
        if (model.isBlank()) {
            throw new IllegalArgumentException("A chat request names a model");
        }
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        stop = List.copyOf(stop);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("A chat request has at least one message");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive");
        }
    }

    /**
     * @param model    the model id
     * @param messages the conversation
     * @return a request with no tools and the provider's default parameters
     */
    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, List.of(), null, null, null, null, List.of(), null);
    }

    /** @return the same with these tools */
    public ChatRequest withTools(List<ToolDefinition> newTools) {
        return new ChatRequest(model, messages, newTools, responseFormat, temperature, topP, maxTokens, stop, seed);
    }

    /** @return the same with this response format */
    public ChatRequest withResponseFormat(@Nullable ResponseFormat format) {
        return new ChatRequest(model, messages, tools, format, temperature, topP, maxTokens, stop, seed);
    }

    /** @return the same with these sampling parameters (null: provider default) */
    public ChatRequest withParameters(@Nullable Double newTemperature, @Nullable Double newTopP,
                                      @Nullable Integer newMaxTokens, List<String> newStop, @Nullable Long newSeed) {
        return new ChatRequest(model, messages, tools, responseFormat, newTemperature, newTopP, newMaxTokens, newStop,
                newSeed);
    }
}
