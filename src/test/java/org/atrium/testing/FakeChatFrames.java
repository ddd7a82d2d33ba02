package org.atrium.testing;

import org.atrium.testing.FakeChatServer.Script;
import org.atrium.testing.FakeChatServer.ToolCall;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/** Writes one wire format's stream events for {@link FakeChatServer}, with each kind's real framing. */
final class FakeChatFrames {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String kind;
    private final String model;
    private final OutputStream out;
    private int anthropicBlock = -1;

    FakeChatFrames(String kind, String model, OutputStream out) {
        this.kind = kind;
        this.model = Objects.requireNonNull(model);
        this.out = out;
    }

    void start(Script script) throws IOException {
        switch (kind) {
            case "openai" -> data(chunk().set("choices", JSON.createArrayNode().add(choice(
                    JSON.createObjectNode().put("role", "assistant").put("content", ""), null))));
            case "anthropic" -> {
                ObjectNode message = JSON.createObjectNode().put("id", "msg_fake").put("type", "message")
                        .put("role", "assistant").put("model", model);
                message.putArray("content");
                message.putNull("stop_reason");
                if (script.inputTokens() >= 0) {
                    message.putObject("usage").put("input_tokens", script.inputTokens()).put("output_tokens", 1);
                }
                event("message_start", JSON.createObjectNode().put("type", "message_start")
                        .set("message", message));
                event("ping", JSON.createObjectNode().put("type", "ping"));
            }
            default -> {
                // Ollama and Gemini have no opening event.
            }
        }
    }

    void text(String piece) throws IOException {
        switch (kind) {
            case "openai" -> data(chunk().set("choices", JSON.createArrayNode().add(choice(
                    JSON.createObjectNode().put("content", piece), null))));
            case "ollama" -> line(ollama(false).set("message", JSON.createObjectNode().put("role", "assistant")
                    .put("content", piece)));
            case "anthropic" -> {
                if (anthropicBlock < 0) {
                    anthropicBlock = 0;
                    event("content_block_start", JSON.createObjectNode().put("type", "content_block_start")
                            .put("index", 0).set("content_block", JSON.createObjectNode().put("type", "text")
                                    .put("text", "")));
                }
                event("content_block_delta", JSON.createObjectNode().put("type", "content_block_delta")
                        .put("index", 0).set("delta", JSON.createObjectNode().put("type", "text_delta")
                                .put("text", piece)));
            }
            default -> data(gemini(JSON.createObjectNode().put("text", piece), null, null));
        }
    }

    void toolCall(ToolCall call, boolean afterText) throws IOException {
        JsonNode arguments = JSON.readTree(call.argumentsJson());
        String json = call.argumentsJson();
        int half = json.length() / 2;
        switch (kind) {
            case "openai" -> {
                ObjectNode first = JSON.createObjectNode();
                first.putArray("tool_calls").addObject().put("index", 0).put("id", call.id())
                        .put("type", "function").putObject("function").put("name", call.name())
                        .put("arguments", json.substring(0, half));
                data(chunk().set("choices", JSON.createArrayNode().add(choice(first, null))));
                ObjectNode second = JSON.createObjectNode();
                second.putArray("tool_calls").addObject().put("index", 0).putObject("function")
                        .put("arguments", json.substring(half));
                data(chunk().set("choices", JSON.createArrayNode().add(choice(second, null))));
            }
            case "ollama" -> {
                ObjectNode message = JSON.createObjectNode().put("role", "assistant").put("content", "");
                message.putArray("tool_calls").addObject().putObject("function").put("name", call.name())
                        .set("arguments", arguments);
                line(ollama(false).set("message", message));
            }
            case "anthropic" -> {
                if (anthropicBlock >= 0) {
                    event("content_block_stop", JSON.createObjectNode().put("type", "content_block_stop")
                            .put("index", anthropicBlock));
                }
                anthropicBlock = afterText ? 1 : 0;
                ObjectNode block = JSON.createObjectNode().put("type", "tool_use").put("id", call.id())
                        .put("name", call.name());
                block.putObject("input");
                event("content_block_start", JSON.createObjectNode().put("type", "content_block_start")
                        .put("index", anthropicBlock).set("content_block", block));
                for (String part : List.of(json.substring(0, half), json.substring(half))) {
                    event("content_block_delta", JSON.createObjectNode().put("type", "content_block_delta")
                            .put("index", anthropicBlock).set("delta", JSON.createObjectNode()
                                    .put("type", "input_json_delta").put("partial_json", part)));
                }
            }
            default -> {
                ObjectNode part = JSON.createObjectNode();
                part.putObject("functionCall").put("name", call.name()).set("args", arguments);
                data(gemini(part, null, null));
            }
        }
    }

    void finish(Script script, boolean includeUsage, boolean endMarker) throws IOException {
        boolean usage = includeUsage && script.inputTokens() >= 0;
        String reason = script.finishReason();
        switch (kind) {
            case "openai" -> {
                data(chunk().set("choices", JSON.createArrayNode().add(choice(JSON.createObjectNode(), reason))));
                if (usage) {
                    ObjectNode last = chunk();
                    last.putArray("choices");
                    last.putObject("usage").put("prompt_tokens", script.inputTokens())
                            .put("completion_tokens", script.outputTokens())
                            .put("total_tokens", script.inputTokens() + script.outputTokens());
                    data(last);
                }
                if (endMarker) {
                    write("data: [DONE]\n\n");
                }
            }
            case "ollama" -> {
                ObjectNode last = ollama(true).put("done_reason", reason.equals("length") ? "length" : "stop");
                last.putObject("message").put("role", "assistant").put("content", "");
                if (usage) {
                    last.put("prompt_eval_count", script.inputTokens()).put("eval_count", script.outputTokens());
                }
                line(last);
            }
            case "anthropic" -> {
                if (anthropicBlock >= 0) {
                    event("content_block_stop", JSON.createObjectNode().put("type", "content_block_stop")
                            .put("index", anthropicBlock));
                }
                ObjectNode delta = JSON.createObjectNode().put("type", "message_delta");
                delta.putObject("delta").put("stop_reason", switch (reason) {
                    case "length" -> "max_tokens";
                    case "tool_calls" -> "tool_use";
                    case "content_filter" -> "refusal";
                    default -> "end_turn";
                }).putNull("stop_sequence");
                if (usage) {
                    delta.putObject("usage").put("output_tokens", script.outputTokens());
                }
                event("message_delta", delta);
                if (endMarker) {
                    event("message_stop", JSON.createObjectNode().put("type", "message_stop"));
                }
            }
            default -> {
                ObjectNode metadata = null;
                if (usage) {
                    metadata = JSON.createObjectNode().put("promptTokenCount", script.inputTokens())
                            .put("candidatesTokenCount", script.outputTokens())
                            .put("totalTokenCount", script.inputTokens() + script.outputTokens());
                }
                data(gemini(JSON.createObjectNode().put("text", ""), switch (reason) {
                    case "length" -> "MAX_TOKENS";
                    case "content_filter" -> "SAFETY";
                    default -> "STOP";
                }, metadata));
            }
        }
    }

    void error(String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        switch (kind) {
            case "openai" -> {
                body.putObject("error").put("message", message).put("type", "server_error");
                data(body);
            }
            case "ollama" -> line(body.put("error", message));
            case "anthropic" -> {
                body.put("type", "error").putObject("error").put("type", "overloaded_error")
                        .put("message", message);
                event("error", body);
            }
            default -> {
                body.putObject("error").put("code", 503).put("message", message).put("status", "UNAVAILABLE");
                data(body);
            }
        }
    }

    private ObjectNode chunk() {
        return JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                .put("created", 1_700_000_000).put("model", model);
    }

    private static ObjectNode choice(ObjectNode delta, @Nullable String finish) {
        ObjectNode choice = JSON.createObjectNode().put("index", 0);
        choice.set("delta", delta);
        choice.put("finish_reason", finish);
        return choice;
    }

    private ObjectNode ollama(boolean done) {
        return JSON.createObjectNode().put("model", model).put("created_at", "2025-01-01T00:00:00Z")
                .put("done", done);
    }

    private ObjectNode gemini(ObjectNode part, @Nullable String finish, @Nullable ObjectNode usage) {
        ObjectNode chunk = JSON.createObjectNode();
        ObjectNode candidate = chunk.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        content.putArray("parts").add(part);
        content.put("role", "model");
        if (finish != null) {
            candidate.put("finishReason", finish);
        }
        candidate.put("index", 0);
        if (usage != null) {
            chunk.set("usageMetadata", usage);
        }
        chunk.put("modelVersion", model);
        return chunk;
    }

    private void data(JsonNode json) throws IOException {
        // Gemini separates events with CRLF pairs; the others with LF pairs. Clients must take both.
        write("data: " + JSON.writeValueAsString(json) + (kind.equals("gemini") ? "\r\n\r\n" : "\n\n"));
    }

    private void event(String name, JsonNode json) throws IOException {
        write("event: " + name + "\ndata: " + JSON.writeValueAsString(json) + "\n\n");
    }

    private void line(JsonNode json) throws IOException {
        write(JSON.writeValueAsString(json) + "\n");
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
