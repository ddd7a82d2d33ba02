package org.atrium.providers.internal.ollama;

import org.atrium.providers.ChatMessage;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ContentPart;
import org.atrium.providers.FinishReason;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.ResponseFormat;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolChoice;
import org.atrium.providers.ToolDefinition;
import org.atrium.providers.internal.ProviderApi;
import org.atrium.providers.internal.ProviderApi.ChatSink;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Ollama's {@code /api/chat} request body and NDJSON stream. */
final class OllamaChat {

    private OllamaChat() {
    }

    static ObjectNode body(ChatRequest request, JsonMapper json) {
        ObjectNode body = json.createObjectNode().put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            ObjectNode node = messages.addObject().put("role", message.role().name().toLowerCase(java.util.Locale.ROOT))
                    .put("content", message.text());
            ArrayNode images = null;
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Image image) {
                    ContentPart.Image.Inline inline = image.inline();
                    if (inline == null) {
                        // Ollama takes image bytes only; fetching a URL on the user's behalf would let a chat
                        // message make Atrium request any address.
                        throw new ProviderApi.UnsupportedRequest("Ollama takes images as data URLs only, not as"
                                + " links");
                    }
                    if (images == null) {
                        images = node.putArray("images");
                    }
                    images.add(inline.base64());
                }
            }
            if (!message.toolCalls().isEmpty()) {
                ArrayNode calls = node.putArray("tool_calls");
                for (ToolCall call : message.toolCalls()) {
                    calls.addObject().putObject("function").put("name", call.name())
                            .set("arguments", ProviderApi.object(json, call.arguments()));
                }
            }
            if (message.role() == ChatMessage.Role.TOOL && message.toolName() != null) {
                node.put("tool_name", message.toolName());
            }
        }
        if (!request.tools().isEmpty() && offersTools(request.toolChoice())) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function")
                        .put("name", tool.name());
                if (tool.description() != null) {
                    function.put("description", tool.description());
                }
                function.set("parameters", tool.parameters());
            }
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() == ResponseFormat.Type.JSON_OBJECT) {
            body.put("format", "json");
        } else if (format != null && format.type() == ResponseFormat.Type.JSON_SCHEMA) {
            body.set("format", format.schema());
        }
        ObjectNode options = json.createObjectNode();
        if (request.temperature() != null) {
            options.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            options.put("top_p", request.topP());
        }
        if (request.maxTokens() != null) {
            options.put("num_predict", request.maxTokens());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = options.putArray("stop");
            request.stop().forEach(stop::add);
        }
        if (request.seed() != null) {
            options.put("seed", request.seed());
        }
        if (!options.isEmpty()) {
            body.set("options", options);
        }
        body.put("stream", true);
        return body;
    }

    /** Ollama has no tool choice: the model decides among the tools it is given, so only "none" can be honoured. */
    private static boolean offersTools(@Nullable ToolChoice choice) {
        return switch (choice) {
            case null -> true;
            case ToolChoice.Mode.AUTO -> true;
            case ToolChoice.Mode.NONE -> false;
            case ToolChoice.Mode.REQUIRED -> throw forcedCall();
            case ToolChoice.Function _ -> throw forcedCall();
        };
    }

    private static ProviderApi.UnsupportedRequest forcedCall() {
        return new ProviderApi.UnsupportedRequest("Ollama cannot be made to call a tool (tool choice 'required' or a"
                + " named function); only 'auto' and 'none' apply");
    }

    /** Reads NDJSON lines: {@code message} pieces, then one line with {@code "done": true} and the counts. */
    static final class Stream implements ProviderApi.StreamTranslator {

        private final JsonMapper json;
        private boolean done;
        private int calls;

        Stream(JsonMapper json) {
            this.json = json;
        }

        @Override
        public void accept(@Nullable String event, String data, ChatSink sink) {
            JsonNode line = ProviderApi.parse(json, data);
            String error = ProviderApi.text(line.path("error"));
            if (error != null) {
                sink.error(ProviderFailure.UNAVAILABLE, error);
                return;
            }
            JsonNode message = line.path("message");
            JsonNode content = message.path("content");
            if (content.isString() && !content.asString().isEmpty()) {
                sink.text(content.asString());
            }
            for (JsonNode call : message.path("tool_calls")) {
                JsonNode function = call.path("function");
                int index = calls++;
                // Ollama sends each call whole, with the arguments as an object and (before 0.12) no id.
                sink.toolCallDelta(index, ProviderApi.text(call.path("id")), ProviderApi.text(function.path("name")),
                        json.writeValueAsString(function.path("arguments").isObject() ? function.path("arguments")
                                : json.createObjectNode()));
                sink.toolCallDone(index);
            }
            if (line.path("done").asBoolean(false)) {
                sink.usage(ProviderApi.count(line.path("prompt_eval_count")),
                        ProviderApi.count(line.path("eval_count")));
                String reason = line.path("done_reason").asString("stop");
                sink.finish(reason.equals("length") ? FinishReason.LENGTH
                        : calls > 0 ? FinishReason.TOOL_CALLS : FinishReason.STOP);
                done = true;
            }
        }

        @Override
        public boolean finished() {
            return done;
        }
    }
}
