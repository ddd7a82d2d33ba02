package org.atrium.compat.openai;

import jakarta.servlet.http.HttpServletResponse;
import org.atrium.platform.LogEvents;
import org.atrium.chat.ModelCalls;
import org.atrium.providers.ChatHandle;
import org.atrium.providers.ChatResult;
import org.atrium.providers.FinishReason;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.TokenUsage;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolCallDelta;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.CompletableFuture;

/**
 * Writes one chat completion in OpenAI's shape as the answer arrives: a streamed answer as {@code chat.completion.chunk}
 * server-sent events ending with {@code data: [DONE]}, a whole one as one {@code chat.completion} object.
 *
 * <p>Nothing is written before the provider's first output: a call that fails before it is answered with the HTTP
 * status of its failure (by the caller of {@link #done()}), as OpenAI does. Once streaming, a failure is written as an
 * {@code error} event inside the stream. A write that fails (the client went away) throws, which cancels the upstream
 * call; so does a heartbeat comment ({@link StreamHeartbeats}) written into a stream that has been silent, so that a
 * client gone while the model is silent is noticed too. Listener methods run on the call's thread; {@link #done()}
 * completes after the last write.
 */
final class CompletionWriter implements ModelCalls.CallListener {

    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpServletResponse response;
    private final JsonMapper json;
    private final CompletionIds ids;
    private final boolean stream;
    private final boolean includeUsage;
    private final ServerTiming timing;
    private final CompletableFuture<@Nullable ProviderFailure> done = new CompletableFuture<>();
    private final Set<Integer> streamedCalls = new HashSet<>();
    private final StreamHeartbeats heartbeats;
    /** Held by every write: the call's thread writes events, a heartbeat writes comments. */
    private final ReentrantLock writing = new ReentrantLock();
    private volatile @Nullable OutputStream out;
    private volatile long lastWrite;
    private volatile boolean ended;
    private volatile @Nullable ChatHandle handle;
    private @Nullable ScheduledFuture<?> heartbeat;

    CompletionWriter(HttpServletResponse response, JsonMapper json, CompletionIds ids, boolean stream,
                     boolean includeUsage, ServerTiming timing, StreamHeartbeats heartbeats) {
        this.response = response;
        this.json = json;
        this.ids = ids;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.timing = timing;
        this.heartbeats = heartbeats;
    }

    /** @param started the call, which a heartbeat that finds the client gone cancels */
    void attach(ChatHandle started) {
        this.handle = started;
    }

    /** @return completes after the last write: with null, or with the failure when nothing had been written */
    CompletableFuture<@Nullable ProviderFailure> done() {
        return done;
    }

    @Override
    public void onUpstreamStart() {
        timing.upstreamStarting();
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
        end();
        try {
            if (stream) {
                completeStream(result);
            } else {
                writeWhole(result);
            }
            done.complete(null);
        } catch (RuntimeException failed) {
            done.complete(null);
            throw failed;
        }
    }

    @Override
    public void onFailure(ProviderFailure failure) {
        end();
        try {
            if (out == null) {
                done.complete(failure);
                return;
            }
            if (!ProviderFailure.CANCELLED.equals(failure.code())) {
                // Inside a stream the failure is an event of its own, as OpenAI sends it.
                ObjectNode error = json.createObjectNode();
                OpenAiErrors.body(error, failure.status().value(), failure.code(), failure.getMessage(), null);
                write(("data: " + json.writeValueAsString(error) + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            done.complete(null);
        } catch (RuntimeException failed) {
            done.complete(null);
            LogEvents.debug(log, "compat.stream.write_failed").addKeyValue("reason",
                    failed.getClass().getSimpleName()).log();
        }
    }

    private void end() {
        ended = true;
        ScheduledFuture<?> beating = heartbeat;
        if (beating != null) {
            beating.cancel(false);
        }
    }

    /** A comment line when the stream has been silent for the interval; a failed write cancels the call. */
    private void beat() {
        if (ended || System.nanoTime() - lastWrite < StreamHeartbeats.INTERVAL.toNanos() || !writing.tryLock()) {
            return;
        }
        try {
            OutputStream stream = out;
            if (ended || stream == null) {
                return;
            }
            stream.write(HEARTBEAT);
            stream.flush();
            lastWrite = System.nanoTime();
        } catch (IOException gone) {
            ChatHandle call = handle;
            if (call != null) {
                call.cancel();
            }
        } finally {
            writing.unlock();
        }
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
        if (out == null) {
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
        write(events.toString().getBytes(StandardCharsets.UTF_8), DONE);
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
        timing.upstream(result.duration());
        byte[] bytes = json.writeValueAsBytes(body);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(bytes.length);
        response.setHeader(ServerTiming.HEADER, timing.header());
        out = outputStream();
        write(bytes);
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
        if (out == null) {
            data = "data: " + json.writeValueAsString(roleChunk()) + "\n\n" + data;
        }
        write(data.getBytes(StandardCharsets.UTF_8));
    }

    private OutputStream outputStream() {
        try {
            return response.getOutputStream();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    private void write(byte[]... parts) {
        writing.lock();
        try {
            OutputStream stream = out;
            if (stream == null) {
                timing.firstOutput();
                response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
                response.setCharacterEncoding("UTF-8");
                response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
                // Proxies such as nginx must pass each event on at once.
                response.setHeader("X-Accel-Buffering", "no");
                response.setHeader(ServerTiming.HEADER, timing.header());
                stream = outputStream();
                out = stream;
                if (!ended) {
                    heartbeat = heartbeats.every(this::beat);
                }
            }
            for (byte[] part : parts) {
                stream.write(part);
            }
            stream.flush();
            lastWrite = System.nanoTime();
        } catch (IOException gone) {
            // The client went away: throwing cancels the upstream call.
            throw new UncheckedIOException(gone);
        } finally {
            writing.unlock();
        }
    }
}
