package org.atrium.accounts;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A key just created: the only time the full key is returned.
 *
 * @param key    the full key; store it now, it cannot be shown again
 * @param apiKey the key as it will be listed from now on
 */
@Schema(description = "A new API key. The full key is shown only in this response.")
public record NewApiKey(
        @Schema(example = "atk_Qm3v7Tz1cX9bN4kL8pR2sW6yE0uA5dF3gJ7hK1o9xQz") String key,
        ApiKey apiKey) {
}
