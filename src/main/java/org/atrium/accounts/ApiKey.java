package org.atrium.accounts;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.UUID;

/**
 * A personal API key as listed: masked, never the key itself.
 *
 * @param id        the key's id (used to revoke it)
 * @param name      what the owner called it
 * @param maskedKey the key's prefix and last four characters
 * @param createdAt when it was created
 * @param expiresAt when it stops working, or {@code null} for never
 */
@Schema(description = "A personal API key, masked.")
public record ApiKey(
        @Schema(example = "6f1d2c3b-8a9e-4f00-b1c2-d3e4f5a6b7c8") UUID id,
        @Schema(example = "nightly export") String name,
        @Schema(example = "atk_...9xQz") String maskedKey,
        @Schema(example = "2026-11-28T09:30:00Z") Instant createdAt,
        @Schema(example = "2027-01-01T00:00:00Z", nullable = true) @Nullable Instant expiresAt) {
}
