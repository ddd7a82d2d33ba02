package org.atrium.providers.internal.openai;

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

import java.util.Locale;

/** The chat completions request body and stream of the OpenAI wire format. */
final class OpenAiChat {

    private OpenAiChat() {
    }

    static ObjectNode body(ChatRequest request, JsonMapper json) {
        ObjectNode body = json.createObjectNode().put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.add(message(message, json));
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function")
                        .put("name", tool.name());
                if (tool.description() != null) {
                    function.put("description", tool.description());
                }
                function.set("parameters", tool.parameters());
            }
            switch (request.toolChoice()) {
                case null -> {
                }
                case ToolChoice.Mode mode -> body.put("tool_choice", mode.name().toLowerCase(Locale.ROOT));
                case ToolChoice.Function function -> body.putObject("tool_choice").put("type", "function")
                        .putObject("function").put("name", function.name());
            }
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            ObjectNode target = body.putObject("response_format");
            if (format.type() == ResponseFormat.Type.JSON_OBJECT) {
                target.put("type", "json_object");
            } else {
                target.put("type", "json_schema").putObject("json_schema")
                        .put("name", format.name() == null ? "response" : format.name())
                        .set("schema", format.schema());
            }
        }
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (request.maxTokens() != null) {
            // max_tokens rather than max_completion_tokens: every compatible server (vLLM, LiteLLM, Ollama's
            // compatibility layer) takes it, and OpenAI still accepts it for chat models.
            body.put("max_tokens", request.maxTokens());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            request.stop().forEach(stop::add);
        }
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body;
    }

    private static ObjectNode message(ChatMessage message, JsonMapper json) {
        ObjectNode node = json.createObjectNode();
        switch (message.role()) {
            case SYSTEM -> node.put("role", "system").put("content", message.text());
            case TOOL -> node.put("role", "tool").put("tool_call_id", message.toolCallId())
                    .put("content", message.text());
            case ASSISTANT -> {
                node.put("role", "assistant");
                if (message.toolCalls().isEmpty() || !message.text().isEmpty()) {
                    node.put("content", message.text());
                } else {
                    node.putNull("content");
                }
                if (!message.toolCalls().isEmpty()) {
                    ArrayNode calls = node.putArray("tool_calls");
                    for (ToolCall call : message.toolCalls()) {
                        calls.addObject().put("id", call.id()).put("type", "function").putObject("function")
                                .put("name", call.name()).put("arguments", call.arguments());
                    }
                }
            }
            case USER -> {
                node.put("role", "user");
                if (message.content().stream().allMatch(ContentPart.Text.class::isInstance)) {
                    node.put("content", message.text());
                } else {
                    ArrayNode parts = node.putArray("content");
                    for (ContentPart part : message.content()) {
                        switch (part) {
                            case ContentPart.Text text -> parts.addObject().put("type", "text")
                                    .put("text", text.text());
                            case ContentPart.Image image -> parts.addObject().put("type", "image_url")
                                    .putObject("image_url").put("url", image.url());
                        }
                    }
                }
            }
        }
        return node;
    }

    /** Reads {@code data:} events: chunks with {@code choices[0].delta}, a usage chunk, then {@code [DONE]}. */
    static final class Stream implements ProviderApi.StreamTranslator {

        private final JsonMapper json;
        private boolean done;
        private boolean finishSeen;

        Stream(JsonMapper json) {
            this.json = json;
        }

        @Override
        public void accept(@Nullable String event, String data, ChatSink sink) {
            if (data.strip().equals("[DONE]")) {
                done = true;
                return;
            }
            JsonNode chunk = ProviderApi.parse(json, data);
            JsonNode error = chunk.path("error");
            if (!error.isMissingNode() && !error.isNull()) {
                String type = error.path("type").asString("") + " " + error.path("code").asString("");
                sink.error(type.contains("rate_limit") ? ProviderFailure.RATE_LIMITED : ProviderFailure.UNAVAILABLE,
                        error.path("message").asString(error.toString()));
                return;
            }
            JsonNode choice = chunk.path("choices").path(0);
            JsonNode delta = choice.path("delta");
            JsonNode content = delta.path("content");
            if (content.isString() && !content.asString().isEmpty()) {
                sink.text(content.asString());
            }
            for (JsonNode call : delta.path("tool_calls")) {
                JsonNode function = call.path("function");
                sink.toolCallDelta(call.path("index").asInt(0), ProviderApi.text(call.path("id")),
                        ProviderApi.text(function.path("name")), function.path("arguments").asString(""));
            }
            String finish = ProviderApi.text(choice.path("finish_reason"));
            if (finish != null) {
                finishSeen = true;
                sink.finish(switch (finish) {
                    case "length" -> FinishReason.LENGTH;
                    case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
                    case "content_filter" -> FinishReason.CONTENT_FILTER;
                    default -> FinishReason.STOP;
                });
            }
            JsonNode usage = chunk.path("usage");
            if (usage.isObject()) {
                sink.usage(ProviderApi.count(usage.path("prompt_tokens")),
                        ProviderApi.count(usage.path("completion_tokens")));
            }
        }

        @Override
        public boolean finished() {
            return done;
        }

        /** Some compatible servers close the stream after the finish reason without {@code [DONE]}. */
        @Override
        public boolean completeAtEnd() {
            return done || finishSeen;
        }
    }
}
