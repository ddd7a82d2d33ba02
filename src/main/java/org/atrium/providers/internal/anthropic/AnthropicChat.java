package org.atrium.providers.internal.anthropic;

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

import java.util.HashSet;
import java.util.Set;

/** The Messages API's request body and its server-sent events. */
final class AnthropicChat {

    private AnthropicChat() {
    }

    static ObjectNode body(ChatRequest request, JsonMapper json) {
        ObjectNode body = json.createObjectNode().put("model", request.model())
                .put("max_tokens", request.maxTokens() == null ? ChatRequest.ANTHROPIC_DEFAULT_MAX_TOKENS
                        : request.maxTokens());
        StringBuilder system = new StringBuilder();
        ArrayNode messages = body.putArray("messages");
        ObjectNode current = null;
        String currentRole = null;
        for (ChatMessage message : request.messages()) {
            if (message.role() == ChatMessage.Role.SYSTEM) {
                // The system prompt is top-level in this API; several system messages become one, in order.
                system.append(system.isEmpty() ? "" : "\n\n").append(message.text());
                continue;
            }
            String role = message.role() == ChatMessage.Role.ASSISTANT ? "assistant" : "user";
            if (!role.equals(currentRole)) {
                // Roles must alternate: consecutive messages of one role (tool results after each other, a tool
                // result followed by the user's next question) are merged into one message of several blocks.
                current = messages.addObject().put("role", role);
                current.putArray("content");
                currentRole = role;
            }
            ArrayNode content = (ArrayNode) current.get("content");
            if (message.role() == ChatMessage.Role.TOOL) {
                content.addObject().put("type", "tool_result").put("tool_use_id", message.toolCallId())
                        .put("content", message.text());
                continue;
            }
            for (ContentPart part : message.content()) {
                switch (part) {
                    case ContentPart.Text text -> {
                        if (!text.text().isEmpty()) {
                            content.addObject().put("type", "text").put("text", text.text());
                        }
                    }
                    case ContentPart.Image image -> {
                        ObjectNode source = content.addObject().put("type", "image").putObject("source");
                        ContentPart.Image.Inline inline = image.inline();
                        if (inline != null) {
                            source.put("type", "base64").put("media_type", inline.mediaType())
                                    .put("data", inline.base64());
                        } else {
                            source.put("type", "url").put("url", image.url());
                        }
                    }
                }
            }
            for (ToolCall call : message.toolCalls()) {
                content.addObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
                        .set("input", ProviderApi.object(json, call.arguments()));
            }
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            // No response-format parameter in the stable Messages API: the instruction goes in the system prompt.
            system.append(system.isEmpty() ? "" : "\n\n").append("Answer with a single JSON object and nothing else");
            if (format.schema() != null) {
                system.append(", matching this JSON Schema: ").append(json.writeValueAsString(format.schema()));
            }
            system.append('.');
        }
        if (!system.isEmpty()) {
            body.put("system", system.toString());
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode node = tools.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    node.put("description", tool.description());
                }
                node.set("input_schema", tool.parameters());
            }
            switch (request.toolChoice()) {
                case null -> {
                }
                case ToolChoice.Mode.AUTO -> body.putObject("tool_choice").put("type", "auto");
                case ToolChoice.Mode.NONE -> body.putObject("tool_choice").put("type", "none");
                case ToolChoice.Mode.REQUIRED -> body.putObject("tool_choice").put("type", "any");
                case ToolChoice.Function function -> body.putObject("tool_choice").put("type", "tool")
                        .put("name", function.name());
            }
        }
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            request.stop().forEach(stop::add);
        }
        // No seed in this API: it is dropped.
        body.put("stream", true);
        return body;
    }

    /**
     * Reads the event sequence {@code message_start}, then per content block {@code content_block_start},
     * {@code content_block_delta}s and {@code content_block_stop}, then {@code message_delta} (stop reason, output
     * tokens) and {@code message_stop}; {@code ping} may come anywhere, {@code error} ends the stream.
     */
    static final class Stream implements ProviderApi.StreamTranslator {

        private final JsonMapper json;
        private final Set<Integer> toolBlocks = new HashSet<>();
        private boolean done;
        private boolean stopSeen;

        Stream(JsonMapper json) {
            this.json = json;
        }

        @Override
        public void accept(@Nullable String event, String data, ChatSink sink) {
            JsonNode node = ProviderApi.parse(json, data);
            String type = event != null ? event : node.path("type").asString("");
            switch (type) {
                case "message_start" -> {
                    JsonNode usage = node.path("message").path("usage");
                    sink.usage(ProviderApi.count(usage.path("input_tokens")), null);
                }
                case "content_block_start" -> {
                    JsonNode block = node.path("content_block");
                    int index = node.path("index").asInt(0);
                    if (block.path("type").asString("").equals("tool_use")) {
                        toolBlocks.add(index);
                        JsonNode input = block.path("input");
                        // The input usually streams as input_json_delta; a block may also start with it whole.
                        String initial = input.isObject() && !input.isEmpty() ? json.writeValueAsString(input) : "";
                        sink.toolCallDelta(index, ProviderApi.text(block.path("id")),
                                ProviderApi.text(block.path("name")), initial);
                    } else if (block.path("type").asString("").equals("text")
                            && !block.path("text").asString("").isEmpty()) {
                        sink.text(block.path("text").asString());
                    }
                }
                case "content_block_delta" -> {
                    JsonNode delta = node.path("delta");
                    switch (delta.path("type").asString("")) {
                        case "text_delta" -> {
                            String text = delta.path("text").asString("");
                            if (!text.isEmpty()) {
                                sink.text(text);
                            }
                        }
                        case "input_json_delta" -> sink.toolCallDelta(node.path("index").asInt(0), null, null,
                                delta.path("partial_json").asString(""));
                        default -> {
                            // thinking and signature deltas are not part of the answer
                        }
                    }
                }
                case "content_block_stop" -> {
                    int index = node.path("index").asInt(0);
                    if (toolBlocks.remove(index)) {
                        sink.toolCallDone(index);
                    }
                }
                case "message_delta" -> {
                    sink.usage(null, ProviderApi.count(node.path("usage").path("output_tokens")));
                    String reason = ProviderApi.text(node.path("delta").path("stop_reason"));
                    if (reason != null) {
                        stopSeen = true;
                        sink.finish(switch (reason) {
                            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
                            case "tool_use" -> FinishReason.TOOL_CALLS;
                            case "refusal" -> FinishReason.CONTENT_FILTER;
                            default -> FinishReason.STOP;
                        });
                    }
                }
                case "message_stop" -> done = true;
                case "error" -> {
                    JsonNode error = node.path("error");
                    sink.error(switch (error.path("type").asString("")) {
                        case "rate_limit_error" -> ProviderFailure.RATE_LIMITED;
                        case "authentication_error", "permission_error" -> ProviderFailure.AUTH_FAILED;
                        case "invalid_request_error", "not_found_error", "request_too_large" ->
                                ProviderFailure.REJECTED;
                        default -> ProviderFailure.UNAVAILABLE;
                    }, error.path("message").asString(""));
                }
                default -> {
                    // ping, and event types added later, carry nothing for the answer
                }
            }
        }

        @Override
        public boolean finished() {
            return done;
        }

        /** A proxy may drop the final {@code message_stop}; the stop reason already ended the answer. */
        @Override
        public boolean completeAtEnd() {
            return done || stopSeen;
        }
    }
}
