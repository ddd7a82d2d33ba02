package org.atrium.providers;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One message of a conversation, provider-neutral.
 *
 * @param role       who speaks
 * @param content    text and image parts (a tool message and a system message carry text only)
 * @param toolCalls  for an assistant message: the tools it called (empty otherwise)
 * @param toolCallId for a tool message: the id of the call it answers
 * @param toolName   for a tool message: the tool's name (Gemini and Ollama need it)
 */
public record ChatMessage(Role role, List<ContentPart> content, List<ToolCall> toolCalls, @Nullable String toolCallId,
                          @Nullable String toolName) {

    /** Who speaks a message. */
    public enum Role {
        /** Instructions for the model. */
        SYSTEM,
        /** The person. */
        USER,
        /** The model. */
        ASSISTANT,
        /** A tool's result, answering one of the assistant's tool calls. */
        TOOL
    }

    /** Copies the lists and checks that a tool message names its call. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
        toolCalls = List.copyOf(toolCalls);
        if (role == Role.TOOL && (toolCallId == null || toolCallId.isBlank())) {
            throw new IllegalArgumentException("A tool message needs the id of the call it answers");
        }
        if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("Only assistant messages call tools");
        }
    }

    /** @return a system message */
    public static ChatMessage system(String text) {
        return new ChatMessage(Role.SYSTEM, List.of(new ContentPart.Text(text)), List.of(), null, null);
    }

    /** @return a user message of text */
    public static ChatMessage user(String text) {
        return new ChatMessage(Role.USER, List.of(new ContentPart.Text(text)), List.of(), null, null);
    }

    /** @return a user message of several parts (text and images) */
    public static ChatMessage user(List<ContentPart> parts) {
        return new ChatMessage(Role.USER, parts, List.of(), null, null);
    }

    /** @return an assistant message of text */
    public static ChatMessage assistant(String text) {
        return new ChatMessage(Role.ASSISTANT, List.of(new ContentPart.Text(text)), List.of(), null, null);
    }

    /** @return an assistant message that calls tools (with optional text before the calls) */
    public static ChatMessage assistant(@Nullable String text, List<ToolCall> calls) {
        return new ChatMessage(Role.ASSISTANT, text == null || text.isEmpty() ? List.of()
                : List.of(new ContentPart.Text(text)), calls, null, null);
    }

    /**
     * @param call   the call answered
     * @param result the tool's output (JSON or text)
     * @return the tool message
     */
    public static ChatMessage toolResult(ToolCall call, String result) {
        return new ChatMessage(Role.TOOL, List.of(new ContentPart.Text(result)), List.of(), call.id(), call.name());
    }

    /** @return the text parts joined, images left out */
    public String text() {
        return content.stream().filter(ContentPart.Text.class::isInstance).map(p -> ((ContentPart.Text) p).text())
                .collect(Collectors.joining());
    }
}
