package org.atrium.compat.openai;

import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.AnswerOutput;
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
import java.util.HashSet;
import java.util.Set;

/**
 * Writes one chat completion in OpenAI's shape as the answer arrives: a streamed answer as {@code chat.completion.chunk}
 * server-sent events ending with {@code data: [DONE]}, a whole one as one {@code chat.completion} object.
 *
 * <p>Nothing is written before the provider's first output ({@link AnswerOutput}): a call that fails before it is
 * answered with the HTTP status of its failure, as OpenAI does. Once streaming, a failure is written as an
 * {@code error} event inside the stream; a silent stream gets SSE comment lines.
 */
final class CompletionWriter implements ModelCalls.CallListener {

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    /** What a silent stream gets: an SSE comment, which clients ignore. */
    static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final AnswerOutput output;
    private final JsonMapper json;
    private final CompletionIds ids;
    private final boolean stream;
    private final boolean includeUsage;
    private final Set<Integer> streamedCalls = new HashSet<>();

    /**
     * @param output       where to write, created with {@link #HEARTBEAT}
     * @param json         writes the objects
     * @param ids          what every object of the completion repeats
     * @param stream       whether the answer streams
     * @param includeUsage whether a stream ends with a usage chunk
     */
    CompletionWriter(AnswerOutput output, JsonMapper json, CompletionIds ids, boolean stream,
                     boolean includeUsage) {
        this.output = output;
        this.json = json;
        this.ids = ids;
        this.stream = stream;
        this.includeUsage = includeUsage;
    }

    @Override
    public void onUpstreamStart() {
        output.timing().upstreamStarting();
    }

    @Override
    public void onText(String delta) {
        // A whole answer is written from the result at its end.
        if (!stream || delta.isEmpty()) {
            return;
        }
        ObjectNode chunk = chunk();
        ((ObjectNode) chunk.withArray("choices").get(0)).putObject("delta").put("content", delta);
        send(chunk);
    }

    @Override
    public void onToolCallDelta(ToolCallDelta delta) {
        if (!stream) {
            return;
        }
        ObjectNode call = json.createObjectNode().put("index", delta.index());
        ObjectNode function = call.putObject("function");
        if (streamedCalls.add(delta.index())) {
            call.put("id", delta.id()).put("type", "function");
            function.put("name", delta.name());
        }
        function.put("arguments", delta.argumentsDelta());
        ObjectNode chunk = chunk();
        ((ObjectNode) chunk.withArray("choices").get(0)).putObject("delta").putArray("tool_calls").add(call);
        send(chunk);
    }

    @Override
    public void onToolCall(ToolCall call) {
        // Calls whose pieces were streamed are complete already; a provider that only reports whole calls gets one
        // chunk per call here.
    }

    @Override
    public void onComplete(ChatResult result) {
        output.complete(() -> {
            if (stream) {
                completeStream(result);
            } else {
                writeWhole(result);
            }
        });
    }

    @Override
    public void onFailure(ProviderFailure failure) {
        // Inside a stream the failure is an event of its own, as OpenAI sends it.
        output.fail(failure, failed -> {
            ObjectNode error = json.createObjectNode();
            OpenAiErrors.body(error, failed.status().value(), failed.code(), failed.getMessage(), null);
            return ("data: " + json.writeValueAsString(error) + "\n\n").getBytes(StandardCharsets.UTF_8);
        });
    }

    private void completeStream(ChatResult result) {
        // Calls the provider reported only whole.
        for (int i = 0; i < result.toolCalls().size(); i++) {
            if (!streamedCalls.contains(i)) {
                ToolCall call = result.toolCalls().get(i);
                onToolCallDelta(new ToolCallDelta(i, call.id(), call.name(), call.arguments()));
            }
        }
        ObjectNode last = chunk();
        ObjectNode choice = (ObjectNode) last.withArray("choices").get(0);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason(result.finishReason()));
        StringBuilder events = new StringBuilder(256);
        if (!output.started()) {
            // An answer with no output at all still opens with the assistant's role, as OpenAI's streams do.
            events.append("data: ").append(json.writeValueAsString(roleChunk())).append("\n\n");
        }
        events.append("data: ").append(json.writeValueAsString(last)).append("\n\n");
        if (includeUsage) {
            ObjectNode usageChunk = base("chat.completion.chunk");
            usageChunk.putArray("choices");
            usage(usageChunk.putObject("usage"), result.usage());
            events.append("data: ").append(json.writeValueAsString(usageChunk)).append("\n\n");
        }
        output.write(events.toString().getBytes(StandardCharsets.UTF_8), DONE);
    }

    private void writeWhole(ChatResult result) {
        ObjectNode body = base("chat.completion");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (result.text().isEmpty() && !result.toolCalls().isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", result.text());
        }
        message.putNull("refusal");
        if (!result.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall call : result.toolCalls()) {
                ObjectNode item = calls.addObject().put("id", call.id()).put("type", "function");
                item.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(result.finishReason()));
        usage(body.putObject("usage"), result.usage());
        output.timing().upstream(result.duration());
        output.writeWhole(MediaType.APPLICATION_JSON_VALUE, json.writeValueAsBytes(body));
    }

    private ObjectNode roleChunk() {
        ObjectNode chunk = chunk();
        ((ObjectNode) chunk.withArray("choices").get(0)).putObject("delta").put("role", "assistant")
                .put("content", "");
        return chunk;
    }

    /** A chunk with one choice whose delta the caller fills. */
    private ObjectNode chunk() {
        ObjectNode chunk = base("chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private ObjectNode base(String object) {
        ObjectNode node = json.createObjectNode();
        node.put("id", ids.id()).put("object", object).put("created", ids.created()).put("model", ids.model());
        node.putNull("system_fingerprint");
        return node;
    }

    private static void usage(ObjectNode node, TokenUsage tokens) {
        node.put("prompt_tokens", tokens.inputTokens()).put("completion_tokens", tokens.outputTokens())
                .put("total_tokens", tokens.total());
    }

    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
            case STOP, ERROR -> "stop";
        };
    }

    private void send(ObjectNode chunk) {
        String data = "data: " + json.writeValueAsString(chunk) + "\n\n";
        if (!output.started()) {
            data = "data: " + json.writeValueAsString(roleChunk()) + "\n\n" + data;
        }
        output.write(data.getBytes(StandardCharsets.UTF_8));
    }
}
