package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * How long an answer took.
 *
 * @param timeToFirstTokenMs from the request to the provider until its first token, or {@code null}
 * @param durationMs         from the request to the provider until the answer ended, or {@code null}
 */
@Schema(description = "How long an answer took.")
public record AnswerTimings(@Schema(example = "420") @Nullable Integer timeToFirstTokenMs,
                            @Schema(example = "5310") @Nullable Integer durationMs) {
}
