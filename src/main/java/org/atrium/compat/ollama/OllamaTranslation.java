package org.atrium.compat.ollama;

import org.atrium.chat.AnswerFormat;
import org.atrium.chat.AnswerParameters;
import org.atrium.chat.KnowledgeGrounding;
import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.Tools;
import org.atrium.platform.AtriumException;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ContentPart;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolDefinition;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Turns Ollama's chat and generate requests into {@link ModelCalls.Call}s. Ollama's tool calls carry no ids: an
 * assistant message's calls get ids of their position (their own, where the client kept one), and a tool message
 * answers the earliest unanswered call of its {@code tool_name} (else the earliest unanswered call). Images are raw
 * base64, their type read from their first bytes.
 */
final class OllamaTranslation {

    private OllamaTranslation() {
    }

    /**
     * @param request   the chat request, checked against its constraints
     * @param catalogue the model's catalogue id
     * @return the call
     * @throws AtriumException {@code validation_failed} naming the field at fault
     */
    static ModelCalls.Call chat(OllamaRequests.Chat request, String catalogue) {
        List<ChatMessage> messages = new ArrayList<>(request.messages().size());
        List<ToolCall> unanswered = new ArrayList<>();
        for (int i = 0; i < request.messages().size(); i++) {
            OllamaRequests.Message message = request.messages().get(i);
            String at = "messages[" + i + "]";
            String text = message.content() == null ? "" : message.content();
            messages.add(switch (message.role()) {
                case "system" -> ChatMessage.system(text);
                case "user" -> ChatMessage.user(parts(text, message.images(), at + ".images"));
                case "assistant" -> assistant(message, text, i, unanswered);
                default -> toolResult(message, text, at, unanswered);
            });
        }
        return call(catalogue, messages, tools(request.tools()), request.format(), request.options());
    }

    /**
     * @param request   the generate request, checked against its constraints
     * @param catalogue the model's catalogue id
     * @return the call: the system prompt, then the prompt (with its images) as the user's message
     */
    static ModelCalls.Call generate(OllamaRequests.Generate request, String catalogue) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (request.system() != null && !request.system().isEmpty()) {
            messages.add(ChatMessage.system(request.system()));
        }
        messages.add(ChatMessage.user(parts(request.prompt(), request.images(), "images")));
        return call(catalogue, messages, List.of(), request.format(), request.options());
    }

    private static ModelCalls.Call call(String catalogue, List<ChatMessage> messages,
                                        List<ToolDefinition> tools, @Nullable JsonNode format,
                                        OllamaRequests.@Nullable Options options) {
        Integer maxTokens = options == null || options.numPredict() == null || options.numPredict() <= 0 ? null
                : options.numPredict();
        AnswerParameters parameters = options == null
                ? new AnswerParameters(null, null, null, null, null, format(format))
                : new AnswerParameters(options.temperature(), options.topP(), maxTokens, options.stop(),
                options.seed(), format(format));
        return new ModelCalls.Call(catalogue, messages, tools, null, parameters, KnowledgeGrounding.Attachments.NONE);
    }

    private static ChatMessage assistant(OllamaRequests.Message message, String text, int position,
                                         List<ToolCall> unanswered) {
        if (message.toolCalls() == null || message.toolCalls().isEmpty()) {
            return ChatMessage.assistant(text);
        }
        List<ToolCall> calls = new ArrayList<>(message.toolCalls().size());
        for (int j = 0; j < message.toolCalls().size(); j++) {
            OllamaRequests.ToolCall call = message.toolCalls().get(j);
            String id = call.id() == null || call.id().isBlank() ? "call_" + position + "_" + j : call.id();
            JsonNode arguments = call.function().arguments();
            calls.add(new ToolCall(id, call.function().name(), arguments == null || arguments.isNull() ? "{}"
                    : arguments.isString() ? arguments.asString() : arguments.toString()));
        }
        unanswered.addAll(calls);
        return ChatMessage.assistant(text, calls);
    }

    private static ChatMessage toolResult(OllamaRequests.Message message, String text, String at,
                                          List<ToolCall> unanswered) {
        ToolCall answered = unanswered.stream().filter(call -> call.name().equals(message.toolName())).findFirst()
                .orElse(unanswered.isEmpty() ? null : unanswered.getFirst());
        if (answered == null) {
            throw AtriumException.invalidField(at + ".role", "a tool message answers a tool call of an earlier"
                    + " assistant message, and none is left unanswered");
        }
        unanswered.remove(answered);
        return ChatMessage.toolResult(answered, text);
    }

    private static List<ContentPart> parts(String text, @Nullable List<String> images, String at) {
        List<ContentPart> parts = new ArrayList<>();
        parts.add(new ContentPart.Text(text));
        if (images != null) {
            for (int i = 0; i < images.size(); i++) {
                parts.add(image(images.get(i), at + "[" + i + "]"));
            }
        }
        return parts;
    }

    private static ContentPart image(String base64, String at) {
        if (base64.startsWith("data:")) {
            return new ContentPart.Image(base64);
        }
        byte[] head;
        try {
            head = Base64.getDecoder().decode(base64.substring(0, Math.min(base64.length(), 16) & ~3));
        } catch (IllegalArgumentException invalid) {
            throw AtriumException.invalidField(at, "is a base64-encoded image");
        }
        return new ContentPart.Image("data:" + mediaType(head) + ";base64," + base64);
    }

    private static String mediaType(byte[] head) {
        if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8) {
            return "image/jpeg";
        }
        if (head.length >= 3 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F') {
            return "image/gif";
        }
        if (head.length >= 12 && head[0] == 'R' && head[1] == 'I' && head[8] == 'W' && head[9] == 'E') {
            return "image/webp";
        }
        return "image/png";
    }

    private static List<ToolDefinition> tools(@Nullable List<OllamaRequests.Tool> tools) {
        if (tools == null) {
            return List.of();
        }
        List<ToolDefinition> definitions = new ArrayList<>(tools.size());
        for (int i = 0; i < tools.size(); i++) {
            OllamaRequests.Function function = tools.get(i).function();
            definitions.add(Tools.definition(function.name(), function.description(), function.parameters(),
                    "tools[" + i + "].function.parameters"));
        }
        return definitions;
    }

    private static @Nullable AnswerFormat format(@Nullable JsonNode format) {
        if (format == null || format.isNull() || format.isString() && format.asString().isEmpty()) {
            return null;
        }
        if (format.isString() && "json".equals(format.asString())) {
            return new AnswerFormat("json_object", null, null);
        }
        if (format.isObject()) {
            AnswerFormat schema = new AnswerFormat("json_schema", "response", format);
            if (schema.isSchemaConsistent()) {
                return schema;
            }
        }
        throw AtriumException.invalidField("format", "is \"json\" or a JSON Schema object of at most "
                + AnswerFormat.MAX_SCHEMA_CHARS + " characters");
    }
}
