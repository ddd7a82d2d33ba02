package org.atrium.providers;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.List;

/**
 * A whole answer.
 *
 * @param text             the text
 * @param toolCalls        the tools it called, in order
 * @param finishReason     why it stopped
 * @param usage            tokens consumed
 * @param timeToFirstToken from the start of the call (retries included) to the first output; null when none came
 * @param duration         the whole call
 * @param attempts         requests made (more than 1 when a failure before the first output was retried)
 */
public record ChatResult(String text, List<ToolCall> toolCalls, FinishReason finishReason, TokenUsage usage,
                         @Nullable Duration timeToFirstToken, Duration duration, int attempts) {

    /** Copies the list. */
    public ChatResult {
        toolCalls = List.copyOf(toolCalls);
    }
}
