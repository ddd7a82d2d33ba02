package org.atrium.compat.ollama;

import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.AnswerOutput;
import org.atrium.compat.wire.Tools;
import org.atrium.providers.ChatResult;
import org.atrium.providers.FinishReason;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.TokenUsage;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolCallDelta;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes one answer in Ollama's shape as it arrives: streamed as NDJSON objects ({@code done: false} with each piece
 * of text, the tool calls whole in one object as Ollama sends them, then {@code done: true} with
 * {@code done_reason} and the token counts), or whole as one object. {@code /api/chat} answers carry a
 * {@code message}, {@code /api/generate} answers a {@code response}. When and how it is written (nothing before the
 * first output, heartbeats, a client gone) is {@link AnswerOutput}'s; a failure once streaming is an
 * {@code {"error": "..."}} line, as Ollama writes it.
 */
final class OllamaWriter implements ModelCalls.CallListener {

    private final AnswerOutput output;
    private final JsonMapper json;
    private final String model;
    private final boolean chat;
    private final boolean stream;
    private final long started = System.nanoTime();

    /**
     * @param output where to write, created with {@link #heartbeat}
     * @param json   writes the objects
     * @param model  the model as the client named it
     * @param chat   {@code /api/chat} (else {@code /api/generate})
     * @param stream whether the answer streams
     */
    OllamaWriter(AnswerOutput output, JsonMapper json, String model, boolean chat, boolean stream) {
        this.output = output;
        this.json = json;
        this.model = model;
        this.chat = chat;
        this.stream = stream;
    }

    /**
     * @param json  writes the object
     * @param model the model as the client named it
     * @param chat  {@code /api/chat} (else {@code /api/generate})
     * @return what a silent stream gets: an object with no text, which Ollama's clients take as an empty piece
     */
    static byte[] heartbeat(JsonMapper json, String model, boolean chat) {
        return line(json, piece(json, model, chat, ""));
    }

    @Override
    public void onUpstreamStart() {
        output.timing().upstreamStarting();
    }

    @Override
    public void onText(String delta) {
        if (stream && !delta.isEmpty()) {
            output.write(line(json, piece(json, model, chat, delta)));
        }
    }

    @Override
    public void onToolCallDelta(ToolCallDelta delta) {
        // Ollama sends tool calls whole: they are written from the result.
    }

    @Override
    public void onToolCall(ToolCall call) {
        // Written from the result, with the calls streamed in pieces.
    }

    @Override
    public void onUsage(TokenUsage tokens) {
        // Reported by the result.
    }

    @Override
    public void onComplete(ChatResult result) {
        output.complete(() -> {
            if (!stream) {
                output.timing().upstream(result.duration());
                output.writeWhole(MediaType.APPLICATION_JSON_VALUE,
                        json.writeValueAsBytes(last(result, result.text(), true)));
                return;
            }
            byte[] calls = result.toolCalls().isEmpty() || !chat ? new byte[0]
                    : line(json, withCalls(piece(json, model, true, ""), result));
            output.write(calls, line(json, last(result, "", false)));
        });
    }

    @Override
    public void onFailure(ProviderFailure failure) {
        output.fail(failure, failed -> line(json, json.createObjectNode().put("error", failed.getMessage())));
    }

    private ObjectNode last(ChatResult result, String text, boolean whole) {
        ObjectNode last = piece(json, model, chat, text);
        if (whole && chat && !result.toolCalls().isEmpty()) {
            withCalls(last, result);
        }
        long total = System.nanoTime() - started;
        last.put("done", true).put("done_reason", result.finishReason() == FinishReason.LENGTH ? "length" : "stop")
                .put("total_duration", total).put("load_duration", 0)
                .put("prompt_eval_count", result.usage().inputTokens()).put("prompt_eval_duration", 0)
                .put("eval_count", result.usage().outputTokens()).put("eval_duration", result.duration().toNanos());
        return last;
    }

    private ObjectNode withCalls(ObjectNode piece, ChatResult result) {
        ArrayNode calls = piece.withObject("message").putArray("tool_calls");
        for (ToolCall call : result.toolCalls()) {
            ObjectNode function = calls.addObject().put("id", call.id()).putObject("function");
            function.put("name", call.name()).set("arguments", Tools.arguments(json, call.arguments()));
        }
        return piece;
    }

    private static ObjectNode piece(JsonMapper json, String model, boolean chat, String text) {
        ObjectNode piece = json.createObjectNode().put("model", model).put("created_at", Instant.now().toString());
        if (chat) {
            piece.putObject("message").put("role", "assistant").put("content", text);
        } else {
            piece.put("response", text);
        }
        return piece.put("done", false);
    }

    private static byte[] line(JsonMapper json, ObjectNode object) {
        return (json.writeValueAsString(object) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
