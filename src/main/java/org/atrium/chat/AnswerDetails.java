package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;

/**
 * How an answer (an assistant message) was made and how it went.
 *
 * @param model         the model's id in the catalogue
 * @param connection    the provider connection it ran on
 * @param parameters    the generation parameters sent (temperature, max tokens, ...)
 * @param citations     the passages it is grounded on, empty when none
 * @param usage         its tokens, or {@code null} until it ends (or when the provider reported none)
 * @param timings       its timings, or {@code null} until it ends
 * @param failureCode   for a failed answer, a stable code ({@code provider_unavailable}, ...); otherwise
 *                      {@code null}
 * @param failureReason for a failed answer, a sentence for people (the provider's message, never a secret)
 * @param preset        the preset it was asked of ({@code preset:<id>}), which a regeneration goes through again;
 *                      {@code null} for a catalogue model or once the preset is deleted
 * @param tools         the tools it was offered, or {@code null} for none
 * @param toolCalls     the tools it called (empty when none): the caller answers each with a {@code tool} message
 */
@Schema(description = "How an answer was made and how it went.")
public record AnswerDetails(@Schema(example = "openai/gpt-4o-mini") String model,
                            @Schema(example = "openai") String connection,
                            @Schema(example = "{\"temperature\": 0.2}") Map<String, Object> parameters,
                            List<Citation> citations, @Nullable TokenUsage usage, @Nullable AnswerTimings timings,
                            @Schema(example = "provider_unavailable") @Nullable String failureCode,
                            @Nullable String failureReason,
                            @Schema(example = "preset:8e4f5a6b-7c80-4d91-aea2-bf0a9b8c7d6e", nullable = true)
                            @Nullable String preset,
                            @Schema(nullable = true) @Nullable AnswerTools tools,
                            List<AnswerToolCall> toolCalls) {
}
