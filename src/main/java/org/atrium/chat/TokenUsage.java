package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The tokens an answer took.
 *
 * @param inputTokens  tokens of the prompt, or {@code null} when unknown
 * @param outputTokens tokens of the answer, or {@code null} when unknown
 * @param estimated    counted by Atrium with a tokenizer because the provider did not report them
 */
@Schema(description = "The tokens an answer took.")
public record TokenUsage(@Schema(example = "812") @Nullable Integer inputTokens,
                         @Schema(example = "240") @Nullable Integer outputTokens, boolean estimated) {
}
