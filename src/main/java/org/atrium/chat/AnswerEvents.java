package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.UUID;

/**
 * The server-sent events of an answer stream: {@code answer} first (again, before any {@code delta}, when a preset's
 * fallback model takes over), then {@code delta}s, then one {@code end}.
 */
public final class AnswerEvents {

    /** Event names. */
    public static final String ANSWER = "answer";
    /** A piece of text. */
    public static final String DELTA = "delta";
    /** The last event. */
    public static final String END = "end";

    private AnswerEvents() {
    }

    /**
     * The first event: which answer this stream is about.
     *
     * @param chatId     the chat
     * @param questionId the question answered
     * @param messageId  the answer (an assistant message); reattach with {@code GET .../messages/{messageId}/events}
     * @param model      the model's catalogue id
     * @param connection the connection
     */
    @Schema(description = "The first event of an answer stream (`event: answer`).")
    public record Started(@Schema(example = "5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a4b") UUID chatId,
                          @Schema(example = "6c2d3e4f-5a60-4b71-8c82-9d8e7f6a5b4c") UUID questionId,
                          @Schema(example = "7d3e4f5a-6b70-4c81-9d92-ae9f8a7b6c5d") UUID messageId,
                          @Schema(example = "research-gateway/gpt-4o-mini") String model,
                          @Schema(example = "research-gateway") String connection) {
    }

    /**
     * More text (`event: delta`).
     *
     * @param offset where it starts in the answer's text (UTF-16 units), so a client can tell what it has
     * @param text   the text
     */
    @Schema(description = "More text of the answer (`event: delta`).")
    public record Delta(@Schema(example = "0") int offset, @Schema(example = "Lab coats are required in") String text) {
    }

    /**
     * The last event (`event: end`).
     *
     * @param status        {@code complete}, {@code stopped} or {@code failed}
     * @param failureCode   for {@code failed}: a stable code ({@code provider_unavailable}, {@code answer_interrupted})
     * @param failureReason for {@code failed}: a sentence for people (the provider's message, never a secret)
     * @param length        the answer's length (UTF-16 units): a client that received less reads the message
     * @param usage         tokens, or {@code null} when unknown
     * @param timings       the upstream's time to first token and duration, known only now (hence here and not in a
     *                      header)
     * @param citations     the passages it is grounded on, best first (empty when no knowledge is attached or none
     *                      was found)
     * @param toolCalls     the tools a complete answer called, to answer with {@code tool} messages (empty when none)
     */
    @Schema(description = "The last event of an answer stream (`event: end`).")
    public record End(@Schema(example = "complete") MessageStatus status,
                      @Schema(example = "provider_unavailable", nullable = true) @Nullable String failureCode,
                      @Schema(example = "The provider 'research-gateway' is unavailable (502): upstream overloaded.",
                              nullable = true) @Nullable String failureReason,
                      @Schema(example = "1520") int length, @Nullable TokenUsage usage,
                      @Nullable AnswerTimings timings, List<Citation> citations,
                      List<AnswerToolCall> toolCalls) {

        static End of(ChatMessage message) {
            AnswerDetails answer = message.answer();
            return new End(message.status(), answer == null ? null : answer.failureCode(),
                    answer == null ? null : answer.failureReason(), message.content().length(),
                    answer == null ? null : answer.usage(), answer == null ? null : answer.timings(),
                    answer == null ? List.of() : answer.citations(),
                    answer == null ? List.of() : answer.toolCalls());
        }
    }
}
