package org.atrium.providers.internal.gemini;

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

/** {@code generateContent}'s request body and {@code streamGenerateContent?alt=sse}'s events. */
final class GeminiChat {

    private GeminiChat() {
    }

    static ObjectNode body(ChatRequest request, JsonMapper json) {
        ObjectNode body = json.createObjectNode();
        ArrayNode contents = body.putArray("contents");
        StringBuilder system = new StringBuilder();
        ObjectNode current = null;
        String currentRole = null;
        for (ChatMessage message : request.messages()) {
            if (message.role() == ChatMessage.Role.SYSTEM) {
                system.append(system.isEmpty() ? "" : "\n\n").append(message.text());
                continue;
            }
            String role = message.role() == ChatMessage.Role.ASSISTANT ? "model" : "user";
            if (!role.equals(currentRole)) {
                current = contents.addObject().put("role", role);
                current.putArray("parts");
                currentRole = role;
            }
            ArrayNode parts = (ArrayNode) current.get("parts");
            if (message.role() == ChatMessage.Role.TOOL) {
                // A function response names the function, not the call; the name travels with the tool message.
                ObjectNode response = parts.addObject().putObject("functionResponse")
                        .put("name", message.toolName() == null ? "tool" : message.toolName());
                response.set("response", ProviderApi.object(json, message.text()));
                continue;
            }
            for (ContentPart part : message.content()) {
                switch (part) {
                    case ContentPart.Text text -> {
                        if (!text.text().isEmpty()) {
                            parts.addObject().put("text", text.text());
                        }
                    }
                    case ContentPart.Image image -> {
                        ContentPart.Image.Inline inline = image.inline();
                        if (inline != null) {
                            parts.addObject().putObject("inlineData").put("mimeType", inline.mediaType())
                                    .put("data", inline.base64());
                        } else {
                            parts.addObject().putObject("fileData").put("mimeType", mimeType(image.url()))
                                    .put("fileUri", image.url());
                        }
                    }
                }
            }
            for (ToolCall call : message.toolCalls()) {
                parts.addObject().putObject("functionCall").put("name", call.name())
                        .set("args", ProviderApi.object(json, call.arguments()));
            }
        }
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", system.toString());
        }
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode node = declarations.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    node.put("description", tool.description());
                }
                // parametersJsonSchema takes standard JSON Schema (additionalProperties and all), which the older
                // OpenAPI-subset "parameters" field refuses.
                node.set("parametersJsonSchema", tool.parameters());
            }
            ToolChoice choice = request.toolChoice();
            if (choice != null) {
                ObjectNode calling = body.putObject("toolConfig").putObject("functionCallingConfig");
                switch (choice) {
                    case ToolChoice.Mode.AUTO -> calling.put("mode", "AUTO");
                    case ToolChoice.Mode.NONE -> calling.put("mode", "NONE");
                    case ToolChoice.Mode.REQUIRED -> calling.put("mode", "ANY");
                    case ToolChoice.Function function -> calling.put("mode", "ANY").putArray("allowedFunctionNames")
                            .add(function.name());
                }
            }
        }
        ObjectNode config = json.createObjectNode();
        if (request.temperature() != null) {
            config.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            config.put("topP", request.topP());
        }
        if (request.maxTokens() != null) {
            config.put("maxOutputTokens", request.maxTokens());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = config.putArray("stopSequences");
            request.stop().forEach(stop::add);
        }
        if (request.seed() != null) {
            config.put("seed", request.seed());
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            config.put("responseMimeType", "application/json");
            if (format.schema() != null) {
                // responseJsonSchema rather than responseSchema, for the same reason as parametersJsonSchema.
                config.set("responseJsonSchema", format.schema());
            }
        }
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        return body;
    }

    private static String mimeType(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        if (lower.endsWith(".webp")) {
            return "image/webp";
        }
        if (lower.endsWith(".gif")) {
            return "image/gif";
        }
        return "image/jpeg";
    }

    /**
     * Reads {@code data:} events, each a whole {@code GenerateContentResponse} with the next parts; the last carries
     * {@code finishReason} and {@code usageMetadata}. The stream has no end marker: it ends when the connection
     * closes, which is complete only after a finish reason.
     */
    static final class Stream implements ProviderApi.StreamTranslator {

        private final JsonMapper json;
        private boolean finishSeen;
        private int calls;

        Stream(JsonMapper json) {
            this.json = json;
        }

        @Override
        public void accept(@Nullable String event, String data, ChatSink sink) {
            JsonNode chunk = ProviderApi.parse(json, data);
            JsonNode error = chunk.path("error");
            if (error.isObject()) {
                sink.error(switch (error.path("status").asString("")) {
                    case "RESOURCE_EXHAUSTED" -> ProviderFailure.RATE_LIMITED;
                    case "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION" -> ProviderFailure.REJECTED;
                    case "UNAUTHENTICATED", "PERMISSION_DENIED" -> ProviderFailure.AUTH_FAILED;
                    default -> ProviderFailure.UNAVAILABLE;
                }, error.path("message").asString(""));
                return;
            }
            JsonNode usage = chunk.path("usageMetadata");
            if (usage.isObject()) {
                Integer output = ProviderApi.count(usage.path("candidatesTokenCount"));
                Integer thoughts = ProviderApi.count(usage.path("thoughtsTokenCount"));
                sink.usage(ProviderApi.count(usage.path("promptTokenCount")),
                        output == null && thoughts == null ? null
                                : (output == null ? 0 : output) + (thoughts == null ? 0 : thoughts));
            }
            if (ProviderApi.text(chunk.path("promptFeedback").path("blockReason")) != null) {
                sink.finish(FinishReason.CONTENT_FILTER);
                finishSeen = true;
                return;
            }
            JsonNode candidate = chunk.path("candidates").path(0);
            for (JsonNode part : candidate.path("content").path("parts")) {
                if (part.path("thought").asBoolean(false)) {
                    continue;
                }
                JsonNode text = part.path("text");
                if (text.isString() && !text.asString().isEmpty()) {
                    sink.text(text.asString());
                }
                JsonNode call = part.path("functionCall");
                if (call.isObject()) {
                    int index = calls++;
                    sink.toolCallDelta(index, ProviderApi.text(call.path("id")), ProviderApi.text(call.path("name")),
                            json.writeValueAsString(call.path("args").isObject() ? call.path("args")
                                    : json.createObjectNode()));
                    sink.toolCallDone(index);
                }
            }
            String reason = ProviderApi.text(candidate.path("finishReason"));
            if (reason != null) {
                finishSeen = true;
                sink.finish(switch (reason) {
                    case "STOP" -> calls > 0 ? FinishReason.TOOL_CALLS : FinishReason.STOP;
                    case "MAX_TOKENS" -> FinishReason.LENGTH;
                    case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" ->
                            FinishReason.CONTENT_FILTER;
                    default -> FinishReason.ERROR;
                });
            }
        }

        @Override
        public boolean finished() {
            return false;
        }

        @Override
        public boolean completeAtEnd() {
            return finishSeen;
        }
    }
}
