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
 * @param toolChoice     whether and which of them the model must call; null leaves the provider's default (the model
 *                       decides)
 * @param responseFormat the answer's shape, null for free text
 * @param temperature    sampling temperature
 * @param topP           nucleus sampling
 * @param maxTokens      most output tokens
 * @param stop           stop sequences
 * @param seed           for reproducible sampling where supported (not Anthropic)
 */
public record ChatRequest(String model, List<ChatMessage> messages, List<ToolDefinition> tools,
                          @Nullable ToolChoice toolChoice, @Nullable ResponseFormat responseFormat,
                          @Nullable Double temperature, @Nullable Double topP, @Nullable Integer maxTokens,
                          List<String> stop, @Nullable Long seed) {

    /** Anthropic requires a limit; this one is used when the request has none. */
    public static final int ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

    /**
     * Copies the lists; requires a model and a message.
     *
     * @throws IllegalArgumentException for a missing model or message, a non-positive {@code maxTokens}, or a tool
     *                                  choice the tools do not allow (one that requires a call without tools, or
     *                                  names a function that is not among them)
     */
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
        if (toolChoice != null) {
            requireAllowed(toolChoice, tools);
        }
    }

    /**
     * @param model    the model id
     * @param messages the conversation
     * @return a request with no tools and the provider's default parameters
     */
    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, List.of(), null, null, null, null, null, List.of(), null);
    }

    /**
     * @param newTools the functions the model may call
     * @return the same with these tools
     * @throws IllegalArgumentException when the request's tool choice requires a call and there are none, or names a
     *                                  function not among them (set the tools before the choice)
     */
    public ChatRequest withTools(List<ToolDefinition> newTools) {
        return new ChatRequest(model, messages, newTools, toolChoice, responseFormat, temperature, topP, maxTokens,
                stop, seed);
    }

    /**
     * @param choice whether and which tool the model must call; null for the provider's default
     * @return the same with this tool choice
     * @throws IllegalArgumentException when the choice requires a call and the request has no tools, or names a
     *                                  function that is not one of its tools
     */
    public ChatRequest withToolChoice(@Nullable ToolChoice choice) {
        return new ChatRequest(model, messages, tools, choice, responseFormat, temperature, topP, maxTokens, stop,
                seed);
    }

    /** @return the same with this response format */
    public ChatRequest withResponseFormat(@Nullable ResponseFormat format) {
        return new ChatRequest(model, messages, tools, toolChoice, format, temperature, topP, maxTokens, stop, seed);
    }

    /** @return the same with these sampling parameters (null: provider default) */
    public ChatRequest withParameters(@Nullable Double newTemperature, @Nullable Double newTopP,
                                      @Nullable Integer newMaxTokens, List<String> newStop, @Nullable Long newSeed) {
        return new ChatRequest(model, messages, tools, toolChoice, responseFormat, newTemperature, newTopP,
                newMaxTokens, newStop, newSeed);
    }

    private static void requireAllowed(ToolChoice choice, List<ToolDefinition> tools) {
        if (choice.requiresCall() && tools.isEmpty()) {
            throw new IllegalArgumentException("A tool choice that requires a tool call needs at least one tool");
        }
        if (choice instanceof ToolChoice.Function function
                && tools.stream().noneMatch(tool -> tool.name().equals(function.name()))) {
            throw new IllegalArgumentException("The tool choice names the function '" + function.name()
                    + "', which is not one of the request's tools");
        }
    }
}
