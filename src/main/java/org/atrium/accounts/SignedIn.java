package org.atrium.accounts;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;

/**
 * A new session. The token is shown here once; Atrium keeps only its digest.
 *
 * @param token     the session token: send it as {@code Authorization: Bearer <token>} (browsers get it as the
 *                  {@code atrium_session} cookie as well)
 * @param expiresAt when the session ends
 * @param user      the signed-in account
 */
@Schema(description = "A new session and the account it belongs to.")
public record SignedIn(
        @Schema(example = "ats_Jx0c4yq2V8mUo7xP3nQeZb1rT6kWf9aL2sD5gH8jK0M") String token,
        @Schema(example = "2026-12-05T09:30:00Z") Instant expiresAt,
        User user) {
}
