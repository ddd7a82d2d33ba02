package org.atrium.providers;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records every event of one chat call, in order, for tests. */
final class RecordingListener implements ChatListener {

    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> texts = new CopyOnWriteArrayList<>();
    final List<ToolCallDelta> toolDeltas = new CopyOnWriteArrayList<>();
    final List<ToolCall> toolCalls = new CopyOnWriteArrayList<>();
    volatile @Nullable TokenUsage usage;
    volatile @Nullable ChatResult result;
    volatile @Nullable ProviderFailure failure;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CountDownLatch firstText = new CountDownLatch(1);

    @Override
    public void onText(String delta) {
        events.add("text");
        texts.add(delta);
        firstText.countDown();
    }

    @Override
    public void onToolCallDelta(ToolCallDelta delta) {
        events.add("tool_delta");
        toolDeltas.add(delta);
    }

    @Override
    public void onToolCall(ToolCall call) {
        events.add("tool_call");
        toolCalls.add(call);
    }

    @Override
    public void onUsage(TokenUsage tokens) {
        events.add("usage");
        usage = tokens;
    }

    @Override
    public void onComplete(ChatResult answer) {
        events.add("complete");
        result = answer;
        ended.countDown();
    }

    @Override
    public void onFailure(ProviderFailure failed) {
        events.add("failure");
        failure = failed;
        ended.countDown();
    }

    /** Waits for the terminal event. */
    RecordingListener awaitEnd() throws InterruptedException {
        if (!ended.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the call did not end");
        }
        return this;
    }

    /** Waits for the first text. */
    void awaitFirstText(Duration limit) throws InterruptedException {
        if (!firstText.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no text arrived");
        }
    }
}
