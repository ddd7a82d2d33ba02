package org.atrium.providers.internal;

import org.atrium.providers.ChatListener;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.FinishReason;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.TokenUsage;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolCallDelta;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One attempt's answer as a translator reports it: text and tool calls accumulated and forwarded to the listener,
 * usage, finish reason and an in-stream error kept for the end. Used by the call's thread only.
 */
final class Answer implements ProviderApi.ChatSink {

    /** Most tool calls in one answer. */
    static final int MAX_TOOL_CALLS = 128;

    /** Called when a listener throws: the consumer cannot take more. */
    static final class ListenerFailed extends RuntimeException {
        ListenerFailed(RuntimeException cause) {
            super(cause);
        }
    }

    private final ProviderEndpoint endpoint;
    private final ChatListener listener;
    private final JsonMapper json;
    private final @Nullable String secret;
    private final Runnable firstOutput;
    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, PendingCall> calls = new TreeMap<>();
    private final List<ToolCall> completed = new ArrayList<>();
    private @Nullable Integer inputTokens;
    private @Nullable Integer outputTokens;
    private @Nullable FinishReason finish;
    private @Nullable ProviderFailure streamError;
    private boolean delivered;

    private static final class PendingCall {
        final String id;
        final String name;
        final StringBuilder arguments = new StringBuilder();

        PendingCall(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    /**
     * @param endpoint    for failure messages
     * @param listener    where output goes
     * @param json        to read error explanations
     * @param secret      redacted from them
     * @param firstOutput called before each output (the call notes the first)
     */
    Answer(ProviderEndpoint endpoint, ChatListener listener, JsonMapper json, @Nullable String secret,
           Runnable firstOutput) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.json = json;
        this.secret = secret;
        this.firstOutput = firstOutput;
    }

    @Override
    public void text(String delta) {
        firstOutput.run();
        text.append(delta);
        deliver(() -> listener.onText(delta));
    }

    @Override
    public void toolCallDelta(int index, @Nullable String id, @Nullable String name, String args) {
        PendingCall call = calls.get(index);
        if (call == null) {
            if (calls.size() + completed.size() >= MAX_TOOL_CALLS) {
                throw new ProviderApi.UnusableResponse("it called more than " + MAX_TOOL_CALLS + " tools");
            }
            // Ollama (before 0.12) and Gemini give no call ids; the caller needs one to send the result back.
            PendingCall started = new PendingCall(id != null ? id
                    : "call_" + UUID.randomUUID().toString().replace("-", ""), name == null ? "" : name);
            calls.put(index, started);
            started.arguments.append(args);
            firstOutput.run();
            deliver(() -> listener.onToolCallDelta(new ToolCallDelta(index, started.id, started.name, args)));
            return;
        }
        if (call.arguments.length() + args.length() > EventReader.MAX_LINE) {
            throw new ProviderApi.UnusableResponse("a tool call's arguments are longer than " + EventReader.MAX_LINE
                    + " bytes");
        }
        call.arguments.append(args);
        if (!args.isEmpty()) {
            firstOutput.run();
            deliver(() -> listener.onToolCallDelta(new ToolCallDelta(index, null, null, args)));
        }
    }

    @Override
    public void toolCallDone(int index) {
        PendingCall call = calls.remove(index);
        if (call == null) {
            return;
        }
        ToolCall done = new ToolCall(call.id, call.name, call.arguments.isEmpty() ? "{}" : call.arguments.toString());
        completed.add(done);
        deliver(() -> listener.onToolCall(done));
    }

    @Override
    public void usage(@Nullable Integer input, @Nullable Integer output) {
        if (input != null) {
            inputTokens = input;
        }
        if (output != null) {
            outputTokens = output;
        }
    }

    @Override
    public void finish(FinishReason reason) {
        finish = reason;
    }

    @Override
    public void error(String code, String message) {
        streamError = ProviderFailures.inStream(endpoint, code,
                ProviderErrors.providerMessage(message.getBytes(StandardCharsets.UTF_8), json, secret));
    }

    /** @return the error the provider reported inside the stream, if any */
    @Nullable ProviderFailure streamError() {
        return streamError;
    }

    /** @return true once anything reached the listener: the call may no longer be retried */
    boolean delivered() {
        return delivered;
    }

    /**
     * Completes the tool calls still open and settles the finish reason and usage.
     *
     * @param request the request, to count its tokens when the provider did not
     * @return the text, the tool calls, the finish reason and the usage
     */
    Result end(ChatRequest request) {
        for (Integer index : List.copyOf(calls.keySet())) {
            toolCallDone(index);
        }
        FinishReason reason = finish == null ? FinishReason.STOP : finish;
        if (reason == FinishReason.STOP && !completed.isEmpty()) {
            // Some compatible servers say "stop" after tool calls; the caller must run the tools either way.
            reason = FinishReason.TOOL_CALLS;
        }
        boolean estimated = inputTokens == null || outputTokens == null;
        int input = inputTokens != null ? inputTokens : Tokens.input(request);
        int output = outputTokens != null ? outputTokens : Tokens.output(text.toString(), completed);
        return new Result(text.toString(), List.copyOf(completed), reason, new TokenUsage(input, output, estimated));
    }

    /**
     * @param text      the text
     * @param toolCalls the tool calls
     * @param finish    why it stopped
     * @param usage     the tokens
     */
    record Result(String text, List<ToolCall> toolCalls, FinishReason finish, TokenUsage usage) {
    }

    private void deliver(Runnable event) {
        delivered = true;
        try {
            event.run();
        } catch (RuntimeException failed) {
            throw new ListenerFailed(failed);
        }
    }
}
