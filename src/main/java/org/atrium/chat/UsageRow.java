package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;

/**
 * Usage of one bucket and one value of the report's dimension.
 *
 * @param period            the bucket's start (a UTC day or hour)
 * @param key               the dimension's value: a user's or group's id, a model id or a connection name;
 *                          {@code null} for usage charged to no group
 * @param label             a user's e-mail address or a group's name, when the report is by user or group and it
 *                          still exists
 * @param requests          calls
 * @param inputTokens       prompt tokens
 * @param outputTokens      completion tokens
 * @param totalTokens       both
 * @param estimatedRequests calls whose tokens were estimated with a tokenizer
 * @param failedRequests    calls that failed
 * @param stoppedRequests   calls stopped by the user
 */
@Schema(description = "Usage of one period bucket and one value of the report's dimension.")
public record UsageRow(
        @Schema(example = "2026-12-01T00:00:00Z") Instant period,
        @Schema(description = "User or group id, model id or connection name; null for usage charged to no group.",
                example = "gpt-4o", nullable = true) @Nullable String key,
        @Schema(description = "The user's e-mail address or the group's name, by user or group.",
                example = "grace@example.org", nullable = true) @Nullable String label,
        @Schema(example = "42") long requests,
        @Schema(example = "12000") long inputTokens,
        @Schema(example = "3400") long outputTokens,
        @Schema(example = "15400") long totalTokens,
        @Schema(example = "1") long estimatedRequests,
        @Schema(example = "2") long failedRequests,
        @Schema(example = "0") long stoppedRequests) {
}
