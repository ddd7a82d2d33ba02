package org.atrium.models;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;

/**
 * How a connection's model list stands.
 *
 * @param connectionId the connection's id
 * @param connection   its name
 * @param status       {@code ok}; {@code failing} (the last fetch failed: {@link #reason}; the last good list is
 *                     still offered); {@code never_fetched} (no fetch has finished yet); {@code unavailable}
 *                     (admins' view only: the connection is disabled, or no credential of the caller's applies)
 * @param reason       why the last fetch failed, or null
 * @param fetchedAt    when the list offered was fetched, or null
 * @param attemptedAt  when a fetch was last attempted, or null
 * @param models       how many models the connection offers (before the caller's {@code allowedModels})
 */
@Schema(description = "The state of one connection's model list.")
public record ModelListStatus(
        @Schema(example = "5f0c6c1e-8a4b-4b5e-9d3c-2a1b0c9d8e7f") String connectionId,
        @Schema(example = "research-gateway") String connection,
        @Schema(example = "failing", allowableValues = {"ok", "failing", "never_fetched",
                "unavailable"}) String status,
        @Schema(example = "Connection 'research-gateway' did not answer within 5 s.", nullable = true)
        @Nullable String reason,
        @Schema(example = "2026-12-02T08:00:00Z", nullable = true) @Nullable Instant fetchedAt,
        @Schema(example = "2026-12-02T08:10:00Z", nullable = true) @Nullable Instant attemptedAt,
        @Schema(example = "12") int models) {

    /** The list is current. */
    public static final String OK = "ok";
    /** The last fetch failed; the last good list (if any) is offered. */
    public static final String FAILING = "failing";
    /** Nothing has been fetched successfully yet. */
    public static final String NEVER_FETCHED = "never_fetched";
    /** The caller cannot use the connection (disabled, or no credential applies); nothing was fetched. */
    public static final String UNAVAILABLE = "unavailable";
}
