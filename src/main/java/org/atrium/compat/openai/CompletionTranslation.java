package org.atrium.compat.openai;

import org.atrium.chat.AnswerFormat;
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
 * Turns an OpenAI chat completion request into a {@link ModelCalls.Call}: messages with text and image parts, tool
 * calls and tool results, tools, the response format and the sampling parameters. Every value is checked here or by
 * the request's constraints; a value that cannot be honoured is refused with {@code validation_failed} naming the
 * parameter as the client sent it.
 */
final class CompletionTranslation {

    /** Most stop sequences, as OpenAI allows. */
    static final int MAX_STOP = 4;
    /** Longest stop sequence. */
    static final int MAX_STOP_CHARS = 100;
    /** Most content parts of one message. */
    static final int MAX_PARTS = 64;

    private CompletionTranslation() {
    }

    /**
     * @param request   the client's request, already checked against its constraints
     * @param knowledge collections and files to ground on (Open WebUI's {@code files}), none for plain OpenAI calls
     * @return the call
     * @throws AtriumException {@code validation_failed} naming the parameter at fault
     */
    static ModelCalls.Call toCall(ChatCompletionRequest request, KnowledgeGrounding.Attachments knowledge) {
        List<ToolDefinition> tools = tools(request.tools());
        ToolChoice choice = toolChoice(request.toolChoice(), tools);
        Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens()
                : request.maxTokens();
        AnswerParameters parameters = new AnswerParameters(request.temperature(), request.topP(), maxTokens,
                stop(request.stop()), request.seed(), format(request.responseFormat()));
        return new ModelCalls.Call(request.model(), messages(request.messages()), tools, choice, parameters,
                knowledge);
    }

    private static List<ChatMessage> messages(List<ChatCompletionRequest.Message> messages) {
        List<ChatMessage> translated = new ArrayList<>(messages.size());
        Map<String, String> toolNames = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message message = messages.get(i);
            String at = "messages[" + i + "]";
            translated.add(switch (message.role()) {
                case "system", "developer" -> ChatMessage.system(text(message.content(), at));
                case "user" -> ChatMessage.user(parts(message.content(), at));
                case "assistant" -> assistant(message, at, toolNames);
                default -> tool(message, at, toolNames);
            });
        }
        return translated;
    }

    private static ChatMessage assistant(ChatCompletionRequest.Message message, String at,
                                         Map<String, String> toolNames) {
        List<ToolCall> calls = new ArrayList<>();
        if (message.toolCalls() != null) {
            for (ChatCompletionRequest.ToolCall call : message.toolCalls()) {
                calls.add(new ToolCall(call.id(), call.function().name(), call.function().arguments()));
                toolNames.put(call.id(), call.function().name());
            }
        }
        String text = message.content() == null || message.content().isNull() ? "" : text(message.content(), at);
        if (calls.isEmpty()) {
            return ChatMessage.assistant(text);
        }
        return ChatMessage.assistant(text, calls);
    }

    private static ChatMessage tool(ChatCompletionRequest.Message message, String at, Map<String, String> toolNames) {
        String callId = message.toolCallId();
        if (callId == null || callId.isBlank()) {
            throw AtriumException.invalidField(at + ".tool_call_id", "a tool message names the call it answers");
        }
        String name = toolNames.get(callId);
        if (name == null) {
            throw AtriumException.invalidField(at + ".tool_call_id", "answers no tool call of an earlier assistant"
                    + " message");
        }
        return new ChatMessage(ChatMessage.Role.TOOL, List.of(new ContentPart.Text(text(message.content(), at))),
                List.of(), callId, name);
    }

    /** A string, or an array of text parts joined. */
    private static String text(@Nullable JsonNode content, String at) {
        if (content != null && content.isString()) {
            return content.asString();
        }
        StringBuilder text = new StringBuilder();
        for (ContentPart part : parts(content, at)) {
            if (!(part instanceof ContentPart.Text piece)) {
                throw AtriumException.invalidField(at + ".content", "only user messages carry images");
            }
            text.append(piece.text());
        }
        return text.toString();
    }

    private static List<ContentPart> parts(@Nullable JsonNode content, String at) {
        if (content != null && content.isString()) {
            return List.of(new ContentPart.Text(content.asString()));
        }
        if (content == null || !content.isArray()) {
            throw AtriumException.invalidField(at + ".content", "is a string or an array of content parts");
        }
        if (content.size() > MAX_PARTS) {
            throw AtriumException.invalidField(at + ".content", "has at most " + MAX_PARTS + " parts");
        }
        List<ContentPart> parts = new ArrayList<>(content.size());
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String where = at + ".content[" + i + "]";
            String type = part.path("type").asString("");
            switch (type) {
                case "text" -> {
                    JsonNode text = part.path("text");
                    if (!text.isString()) {
                        throw AtriumException.invalidField(where + ".text", "a text part carries its text");
                    }
                    parts.add(new ContentPart.Text(text.asString()));
                }
                case "image_url" -> {
                    JsonNode url = part.path("image_url").path("url");
                    if (!url.isString()) {
                        throw AtriumException.invalidField(where + ".image_url.url", "an image part carries a URL");
                    }
                    try {
                        parts.add(new ContentPart.Image(url.asString()));
                    } catch (IllegalArgumentException invalid) {
                        throw AtriumException.invalidField(where + ".image_url.url", "is a data:image URL or an"
                                + " http(s) URL");
                    }
                }
                default -> throw AtriumException.invalidField(where + ".type", "must be text or image_url (other"
                        + " parts such as input_audio and file are not supported)");
            }
        }
        return parts;
    }

    private static List<ToolDefinition> tools(@Nullable List<ChatCompletionRequest.Tool> tools) {
        if (tools == null) {
            return List.of();
        }
        List<ToolDefinition> definitions = new ArrayList<>(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            ChatCompletionRequest.Function function = tools.get(i).function();
            definitions.add(Tools.definition(function.name(), function.description(), function.parameters(),
                    "tools[" + i + "].function.parameters"));
        }
        return definitions;
    }

    private static @Nullable ToolChoice toolChoice(@Nullable JsonNode choice, List<ToolDefinition> tools) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        ToolChoice chosen;
        if (choice.isString() && choice.asString().matches("none|auto|required")) {
            chosen = ToolChoice.Mode.valueOf(choice.asString().toUpperCase(java.util.Locale.ROOT));
        } else if (choice.isObject() && "function".equals(choice.path("type").asString(""))
                && choice.path("function").path("name").isString()) {
            String name = choice.path("function").path("name").asString();
            if (tools.stream().noneMatch(tool -> tool.name().equals(name))) {
                throw AtriumException.invalidField("tool_choice", "names the function '" + name + "', which is not"
                        + " one of the request's tools");
            }
            chosen = ToolChoice.function(name);
        } else {
            throw AtriumException.invalidField("tool_choice", "is 'none', 'auto', 'required' or {\"type\":"
                    + " \"function\", \"function\": {\"name\": ...}}");
        }
        if (chosen.requiresCall() && tools.isEmpty()) {
            throw AtriumException.invalidField("tool_choice", "requires a tool call, but the request has no tools");
        }
        return chosen;
    }

    private static @Nullable List<String> stop(@Nullable JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return null;
        }
        List<String> sequences = new ArrayList<>();
        if (stop.isString()) {
            sequences.add(stop.asString());
        } else if (stop.isArray() && stop.size() <= MAX_STOP) {
            for (JsonNode sequence : stop) {
                if (!sequence.isString()) {
                    throw AtriumException.invalidField("stop", "is a string or an array of strings");
                }
                sequences.add(sequence.asString());
            }
        } else {
            throw AtriumException.invalidField("stop", "is a string or an array of at most " + MAX_STOP
                    + " strings");
        }
        for (String sequence : sequences) {
            if (sequence.isEmpty() || sequence.length() > MAX_STOP_CHARS) {
                throw AtriumException.invalidField("stop", "each stop sequence has 1 to " + MAX_STOP_CHARS
                        + " characters");
            }
        }
        return sequences;
    }

    private static @Nullable AnswerFormat format(ChatCompletionRequest.@Nullable ResponseFormat format) {
        if (format == null || "text".equals(format.type())) {
            return null;
        }
        if ("json_object".equals(format.type())) {
            return new AnswerFormat("json_object", null, null);
        }
        ChatCompletionRequest.JsonSchema schema = format.jsonSchema();
        if (schema == null) {
            throw AtriumException.invalidField("response_format.json_schema", "json_schema needs its name and"
                    + " schema");
        }
        AnswerFormat answer = new AnswerFormat("json_schema", schema.name(), schema.schema());
        if (!answer.isSchemaConsistent()) {
            throw AtriumException.invalidField("response_format.json_schema.schema", "is a JSON Schema object of at"
                    + " most " + AnswerFormat.MAX_SCHEMA_CHARS + " characters");
        }
        return answer;
    }
}
