package org.atrium.settings;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.UUID;

/**
 * The credential a user's calls to one provider connection will use. Never the secret.
 *
 * @param connection   the provider connection, for example {@code openai}
 * @param credentialId the credential's id
 * @param kind         {@code api_key} or {@code virtual_key}
 * @param maskedSecret the secret masked: a conventional prefix such as {@code sk-} and at most its last four characters
 *                     (none under 12 characters, one per eight above)
 * @param source       {@code instance}, {@code group:<id>} or {@code user}
 */
@Schema(description = "The credential used for one provider connection.")
public record EffectiveCredential(
        @Schema(example = "openai") String connection,
        UUID credentialId,
        @Schema(example = "virtual_key") String kind,
        @Schema(example = "sk-...abcd") String maskedSecret,
        @Schema(example = "group:2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f") String source) {
}
