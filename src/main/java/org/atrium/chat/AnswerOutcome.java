package org.atrium.chat;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * How an answer ended.
 *
 * @param status        {@code complete}, {@code stopped} or {@code failed}
 * @param failureCode   for {@code failed}: a stable code; otherwise {@code null}
 * @param failureReason for {@code failed}: a sentence for people, never a secret; otherwise {@code null}
 * @param usage         its tokens, or {@code null} when unknown
 * @param timings       its timings, or {@code null} when unknown
 * @param citations     the passages it is grounded on
 * @param toolCalls     the tools a complete answer called (empty otherwise)
 */
public record AnswerOutcome(MessageStatus status, @Nullable String failureCode, @Nullable String failureReason,
                            @Nullable TokenUsage usage, @Nullable AnswerTimings timings, List<Citation> citations,
                            List<AnswerToolCall> toolCalls) {

    /** Checks that the outcome is an ending and that only a failure has a failure code. */
    public AnswerOutcome {
        if (status == MessageStatus.IN_PROGRESS) {
            throw new IllegalArgumentException("An outcome ends the answer: complete, stopped or failed");
        }
        if ((status == MessageStatus.FAILED) != (failureCode != null)) {
            throw new IllegalArgumentException("A failed answer, and only a failed answer, has a failure code");
        }
        citations = List.copyOf(citations);
        toolCalls = List.copyOf(toolCalls);
        if (status != MessageStatus.COMPLETE && !toolCalls.isEmpty()) {
            throw new IllegalArgumentException("Only a complete answer has tool calls: a call cut short is none");
        }
    }

    /** @return a complete answer, which may have called tools */
    public static AnswerOutcome complete(@Nullable TokenUsage usage, @Nullable AnswerTimings timings,
                                         List<Citation> citations, List<AnswerToolCall> toolCalls) {
        return new AnswerOutcome(MessageStatus.COMPLETE, null, null, usage, timings, citations, toolCalls);
    }

    /** @return an answer stopped by its owner */
    public static AnswerOutcome stopped(@Nullable TokenUsage usage, @Nullable AnswerTimings timings,
                                        List<Citation> citations) {
        return new AnswerOutcome(MessageStatus.STOPPED, null, null, usage, timings, citations, List.of());
    }

    /** @return a failed answer */
    public static AnswerOutcome failed(String code, String reason, @Nullable TokenUsage usage,
                                       @Nullable AnswerTimings timings) {
        return new AnswerOutcome(MessageStatus.FAILED, code, reason, usage, timings, List.of(), List.of());
    }
}
