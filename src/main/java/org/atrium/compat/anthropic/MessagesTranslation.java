package org.atrium.compat.anthropic;

import org.atrium.chat.AnswerParameters;
import org.atrium.chat.KnowledgeGrounding;
import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.Tools;
import org.atrium.platform.AtriumException;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ContentPart;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolChoice;
import org.atrium.providers.ToolDefinition;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an Anthropic Messages request into a {@link ModelCalls.Call}: the system prompt, text and image blocks,
 * {@code tool_use} blocks as the assistant's tool calls, {@code tool_result} blocks as tool messages (before the rest
 * of their user message), tools, the tool choice and the sampling parameters. A value that cannot be honoured is
 * refused with {@code validation_failed} naming the field as the client sent it.
 */
final class MessagesTranslation {

    /** Most blocks of one message or of the system prompt. */
    static final int MAX_BLOCKS = 256;

    private MessagesTranslation() {
    }

    /**
     * @param request the client's request, already checked against its constraints
     * @return the call
     * @throws AtriumException {@code validation_failed} naming the field at fault
     */
    static ModelCalls.Call toCall(MessagesRequest request) {
        List<ToolDefinition> tools = tools(request.tools());
        AnswerParameters parameters = new AnswerParameters(request.temperature(), request.topP(),
                request.maxTokens(), request.stopSequences(), null, null);
        return new ModelCalls.Call(request.model(), messages(request), tools, toolChoice(request.toolChoice(), tools),
                parameters, KnowledgeGrounding.Attachments.NONE);
    }

    private static List<ChatMessage> messages(MessagesRequest request) {
        List<ChatMessage> translated = new ArrayList<>(request.messages().size() + 1);
        if (request.system() != null && !request.system().isNull()) {
            translated.add(ChatMessage.system(text(request.system(), "system")));
        }
        Map<String, String> toolNames = new HashMap<>();
        for (int i = 0; i < request.messages().size(); i++) {
            MessagesRequest.Message message = request.messages().get(i);
            String at = "messages[" + i + "]";
            boolean user = "user".equals(message.role());
            JsonNode content = message.content();
            if (content.isString()) {
                translated.add(user ? ChatMessage.user(content.asString())
                        : ChatMessage.assistant(content.asString()));
                continue;
            }
            List<ContentPart> parts = new ArrayList<>();
            List<ToolCall> calls = new ArrayList<>();
            List<JsonNode> blocks = blocks(content, at + ".content");
            for (int j = 0; j < blocks.size(); j++) {
                JsonNode block = blocks.get(j);
                String where = at + ".content[" + j + "]";
                switch (block.path("type").asString("")) {
                    case "text" -> parts.add(new ContentPart.Text(string(block, "text", where)));
                    case "image" -> parts.add(image(block.path("source"), where, user));
                    case "tool_use" -> calls.add(toolUse(block, where, user, toolNames));
                    case "tool_result" -> translated.add(toolResult(block, where, user, toolNames));
                    default -> throw AtriumException.invalidField(where + ".type", "must be text, image, tool_use"
                            + " or tool_result");
                }
            }
            if (user) {
                if (!parts.isEmpty()) {
                    translated.add(ChatMessage.user(parts));
                }
            } else {
                String text = new ChatMessage(ChatMessage.Role.ASSISTANT, parts, List.of(), null, null).text();
                translated.add(calls.isEmpty() ? ChatMessage.assistant(text) : ChatMessage.assistant(text, calls));
            }
        }
        return translated;
    }

    private static List<JsonNode> blocks(JsonNode content, String at) {
        if (!content.isArray() || content.size() > MAX_BLOCKS) {
            throw AtriumException.invalidField(at, "is a string or an array of at most " + MAX_BLOCKS
                    + " content blocks");
        }
        List<JsonNode> blocks = new ArrayList<>(content.size());
        content.forEach(blocks::add);
        return blocks;
    }

    /** A string, or text blocks joined (the system prompt, a tool result's content). */
    private static String text(JsonNode content, String at) {
        if (content.isString()) {
            return content.asString();
        }
        StringBuilder text = new StringBuilder();
        List<JsonNode> blocks = blocks(content, at);
        for (int i = 0; i < blocks.size(); i++) {
            JsonNode block = blocks.get(i);
            if (!"text".equals(block.path("type").asString(""))) {
                throw AtriumException.invalidField(at + "[" + i + "].type", "only text blocks are supported here");
            }
            text.append(string(block, "text", at + "[" + i + "]"));
        }
        return text.toString();
    }

    private static String string(JsonNode block, String field, String where) {
        JsonNode value = block.path(field);
        if (!value.isString()) {
            throw AtriumException.invalidField(where + "." + field, "is a string");
        }
        return value.asString();
    }

    private static ContentPart image(JsonNode source, String where, boolean user) {
        if (!user) {
            throw AtriumException.invalidField(where + ".type", "only user messages carry images");
        }
        String url = switch (source.path("type").asString("")) {
            case "base64" -> {
                String mediaType = string(source, "media_type", where + ".source");
                if (!mediaType.matches("image/(jpeg|png|gif|webp)")) {
                    throw AtriumException.invalidField(where + ".source.media_type", "must be image/jpeg, image/png,"
                            + " image/gif or image/webp");
                }
                yield "data:" + mediaType + ";base64," + string(source, "data", where + ".source");
            }
            case "url" -> string(source, "url", where + ".source");
            default -> throw AtriumException.invalidField(where + ".source.type", "must be base64 or url");
        };
        try {
            return new ContentPart.Image(url);
        } catch (IllegalArgumentException invalid) {
            throw AtriumException.invalidField(where + ".source.url", "is an http(s) URL");
        }
    }

    private static ToolCall toolUse(JsonNode block, String where, boolean user, Map<String, String> toolNames) {
        if (user) {
            throw AtriumException.invalidField(where + ".type", "only assistant messages carry tool_use blocks");
        }
        String id = string(block, "id", where);
        String name = string(block, "name", where);
        JsonNode input = block.path("input");
        if (!input.isObject()) {
            throw AtriumException.invalidField(where + ".input", "is an object");
        }
        toolNames.put(id, name);
        return new ToolCall(id, name, input.toString());
    }

    private static ChatMessage toolResult(JsonNode block, String where, boolean user, Map<String, String> toolNames) {
        if (!user) {
            throw AtriumException.invalidField(where + ".type", "only user messages carry tool_result blocks");
        }
        String id = string(block, "tool_use_id", where);
        String name = toolNames.get(id);
        if (name == null) {
            throw AtriumException.invalidField(where + ".tool_use_id", "answers no tool_use block of an earlier"
                    + " assistant message");
        }
        JsonNode content = block.path("content");
        String result = content.isMissingNode() || content.isNull() ? "" : text(content, where + ".content");
        return new ChatMessage(ChatMessage.Role.TOOL, List.of(new ContentPart.Text(result)), List.of(), id, name);
    }

    private static List<ToolDefinition> tools(@Nullable List<MessagesRequest.Tool> tools) {
        if (tools == null) {
            return List.of();
        }
        List<ToolDefinition> definitions = new ArrayList<>(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            MessagesRequest.Tool tool = tools.get(i);
            definitions.add(Tools.definition(tool.name(), tool.description(), tool.inputSchema(),
                    "tools[" + i + "].input_schema"));
        }
        return definitions;
    }

    private static @Nullable ToolChoice toolChoice(MessagesRequest.@Nullable ToolChoice choice,
                                                   List<ToolDefinition> tools) {
        if (choice == null) {
            return null;
        }
        ToolChoice chosen = switch (choice.type()) {
            case "any" -> ToolChoice.Mode.REQUIRED;
            case "none" -> ToolChoice.Mode.NONE;
            case "tool" -> {
                String name = choice.name();
                if (name == null || tools.stream().noneMatch(tool -> tool.name().equals(name))) {
                    throw AtriumException.invalidField("tool_choice.name", "names one of the request's tools");
                }
                yield ToolChoice.function(name);
            }
            default -> ToolChoice.Mode.AUTO;
        };
        if (chosen.requiresCall() && tools.isEmpty()) {
            throw AtriumException.invalidField("tool_choice", "requires a tool call, but the request has no tools");
        }
        return chosen;
    }
}
