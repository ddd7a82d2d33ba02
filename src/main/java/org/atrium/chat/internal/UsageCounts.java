package org.atrium.chat.internal;

import org.atrium.chat.UsageEvent;

/** The counts of one {@link UsageKey} in a buffer: mutable, guarded by the buffer's lock. */
final class UsageCounts {

    long requests;
    long inputTokens;
    long outputTokens;
    long estimated;
    long failed;
    long stopped;

    void add(UsageEvent event) {
        requests++;
        inputTokens += event.inputTokens();
        outputTokens += event.outputTokens();
        estimated += event.estimated() ? 1 : 0;
        failed += event.outcome() == UsageEvent.Outcome.FAILED ? 1 : 0;
        stopped += event.outcome() == UsageEvent.Outcome.STOPPED ? 1 : 0;
    }

    void add(UsageCounts other) {
        requests += other.requests;
        inputTokens += other.inputTokens;
        outputTokens += other.outputTokens;
        estimated += other.estimated;
        failed += other.failed;
        stopped += other.stopped;
    }

    long tokens() {
        return inputTokens + outputTokens;
    }
}
