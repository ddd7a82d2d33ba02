package org.atrium.compat.anthropic;

import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.AnswerOutput;
import org.atrium.compat.wire.Tools;
import org.atrium.providers.ChatResult;
import org.atrium.providers.FinishReason;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.TokenUsage;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolCallDelta;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Writes one answer in Anthropic's Messages shape as it arrives: streamed as Anthropic's named events
 * ({@code message_start}, then per content block {@code content_block_start}, {@code content_block_delta} with
 * {@code text_delta} or {@code input_json_delta}, {@code content_block_stop}; a {@code ping} after the first block
 * starts; {@code message_delta} with the stop reason and usage, {@code message_stop}), or whole as one
 * {@code message}. When and how it is written (nothing before the first output, heartbeats, a client gone) is
 * {@link AnswerOutput}'s; a failure once streaming is an {@code error} event.
 */
final class MessagesWriter implements ModelCalls.CallListener {

    /** What a silent stream gets: Anthropic's own keep-alive event. */
    static final byte[] PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.US_ASCII);

    private final AnswerOutput output;
    private final JsonMapper json;
    private final String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
    private final String model;
    private final boolean stream;
    /** The block of each tool call streamed, by the call's index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private int blocks;
    private @Nullable String open;
    private boolean pinged;
    private @Nullable TokenUsage usage;

    /**
     * @param output where to write, created with {@link #PING}
     * @param json   writes the events
     * @param model  the model as the client named it
     * @param stream whether the answer streams
     */
    MessagesWriter(AnswerOutput output, JsonMapper json, String model, boolean stream) {
        this.output = output;
        this.json = json;
        this.model = model;
        this.stream = stream;
    }

    @Override
    public void onUpstreamStart() {
        output.timing().upstreamStarting();
    }

    @Override
    public void onText(String delta) {
        if (!stream || delta.isEmpty()) {
            return;
        }
        StringBuilder events = new StringBuilder(256);
        if (!"text".equals(open)) {
            ObjectNode block = json.createObjectNode().put("type", "text").put("text", "");
            startBlock(events, block);
        }
        ObjectNode event = json.createObjectNode().put("type", "content_block_delta").put("index", blocks - 1);
        event.putObject("delta").put("type", "text_delta").put("text", delta);
        event(events, event);
        output.write(events.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onToolCallDelta(ToolCallDelta delta) {
        if (!stream) {
            return;
        }
        StringBuilder events = new StringBuilder(256);
        Integer block = toolBlocks.get(delta.index());
        if (block == null) {
            ObjectNode start = json.createObjectNode().put("type", "tool_use")
                    .put("id", delta.id() == null ? "toolu_" + UUID.randomUUID().toString().replace("-", "")
                            : delta.id()).put("name", delta.name() == null ? "" : delta.name());
            start.putObject("input");
            block = startBlock(events, start);
            toolBlocks.put(delta.index(), block);
        }
        if (!delta.argumentsDelta().isEmpty()) {
            ObjectNode event = json.createObjectNode().put("type", "content_block_delta").put("index", block);
            event.putObject("delta").put("type", "input_json_delta").put("partial_json", delta.argumentsDelta());
            event(events, event);
        }
        if (!events.isEmpty()) {
            output.write(events.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void onToolCall(ToolCall call) {
        // Calls whose pieces were streamed are complete already; those reported only whole are written at the end.
    }

    @Override
    public void onUsage(TokenUsage tokens) {
        usage = tokens;
    }

    @Override
    public void onComplete(ChatResult result) {
        output.complete(() -> {
            if (stream) {
                completeStream(result);
            } else {
                output.timing().upstream(result.duration());
                output.writeWhole(MediaType.APPLICATION_JSON_VALUE, json.writeValueAsBytes(whole(result)));
            }
        });
    }

    @Override
    public void onFailure(ProviderFailure failure) {
        output.fail(failure, failed -> {
            StringBuilder events = new StringBuilder(256);
            event(events, AnthropicErrorFilter.body(json.createObjectNode(), failed.status().value(), failed.code(),
                    failed.getMessage()));
            return events.toString().getBytes(StandardCharsets.UTF_8);
        });
    }

    private void completeStream(ChatResult result) {
        for (int i = 0; i < result.toolCalls().size(); i++) {
            if (!toolBlocks.containsKey(i)) {
                ToolCall call = result.toolCalls().get(i);
                onToolCallDelta(new ToolCallDelta(i, call.id(), call.name(), call.arguments()));
            }
        }
        StringBuilder events = new StringBuilder(512);
        if (!output.started()) {
            messageStart(events);
        }
        closeBlock(events);
        ObjectNode delta = json.createObjectNode().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", stopReason(result.finishReason())).putNull("stop_sequence");
        usage(delta.putObject("usage"), result.usage());
        event(events, delta);
        event(events, json.createObjectNode().put("type", "message_stop"));
        output.write(events.toString().getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode whole(ChatResult result) {
        ObjectNode message = message(stopReason(result.finishReason()));
        ArrayNode content = message.withArray("content");
        if (!result.text().isEmpty() || result.toolCalls().isEmpty()) {
            content.addObject().put("type", "text").put("text", result.text());
        }
        for (ToolCall call : result.toolCalls()) {
            content.addObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
                    .set("input", Tools.arguments(json, call.arguments()));
        }
        usage(message.putObject("usage"), result.usage());
        return message;
    }

    private ObjectNode message(@Nullable String stopReason) {
        ObjectNode message = json.createObjectNode().put("id", id).put("type", "message").put("role", "assistant")
                .put("model", model);
        message.putArray("content");
        message.put("stop_reason", stopReason).putNull("stop_sequence");
        return message;
    }

    private void messageStart(StringBuilder events) {
        ObjectNode start = json.createObjectNode().put("type", "message_start");
        ObjectNode message = message(null);
        // The input tokens are known only at the end: message_delta carries them.
        message.putObject("usage").put("input_tokens", usage == null ? 0 : usage.inputTokens())
                .put("output_tokens", 0);
        start.set("message", message);
        event(events, start);
    }

    /** Closes the open block, starts another (after message_start on the first output), returns its index. */
    private int startBlock(StringBuilder events, ObjectNode block) {
        if (!output.started() && blocks == 0) {
            messageStart(events);
        }
        closeBlock(events);
        int index = blocks++;
        ObjectNode start = json.createObjectNode().put("type", "content_block_start").put("index", index);
        start.set("content_block", block);
        event(events, start);
        if (!pinged) {
            pinged = true;
            event(events, json.createObjectNode().put("type", "ping"));
        }
        open = block.path("type").asString();
        return index;
    }

    private void closeBlock(StringBuilder events) {
        if (open != null) {
            event(events, json.createObjectNode().put("type", "content_block_stop").put("index", blocks - 1));
            open = null;
        }
    }

    private void event(StringBuilder events, ObjectNode event) {
        events.append("event: ").append(event.path("type").asString()).append("\ndata: ")
                .append(json.writeValueAsString(event)).append("\n\n");
    }

    private static void usage(ObjectNode node, TokenUsage tokens) {
        node.put("input_tokens", tokens.inputTokens()).put("output_tokens", tokens.outputTokens());
    }

    static String stopReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH -> "max_tokens";
            case TOOL_CALLS -> "tool_use";
            case CONTENT_FILTER -> "refusal";
            case STOP, ERROR -> "end_turn";
        };
    }
}
