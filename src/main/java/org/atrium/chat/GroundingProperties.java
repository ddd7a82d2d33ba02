package org.atrium.chat;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.atrium.knowledge.RetrievalQuery;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Knowledge in chat: how passages are retrieved for an answer and put into its prompt
 * ({@code atrium.chat.knowledge.*}).
 *
 * @param topK            passages put into the prompt at most ({@code 8})
 * @param maxContextChars characters of passages put into the prompt at most ({@code 12000}); a passage that does not
 *                        fit is left out, except the first, which is cut to fit
 * @param mode            how passages are ranked: {@code hybrid}, {@code vector} or {@code keyword} ({@code hybrid})
 */
@Validated
@ConfigurationProperties("atrium.chat.knowledge")
record GroundingProperties(@DefaultValue("8") @Min(1) @Max(50) int topK,
                           @DefaultValue("12000") @Min(500) @Max(400_000) int maxContextChars,
                           @DefaultValue("hybrid") @NotNull RetrievalQuery.Mode mode) {
}
