package org.atrium.platform.internal;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Request body limits ({@code atrium.http.*}), enforced before anything parses the body; a larger body is answered
 * with {@code 413 payload_too_large}. Multipart uploads are bounded by {@code atrium.knowledge.max-file-size} instead
 * (see knowledge's {@code UploadSpool}). Every limit is listed in {@code docs/limits.md}.
 *
 * @param maxBodySize         JSON bodies of endpoints not named below ({@code 1MB})
 * @param maxAuthBodySize     sign-up, sign-in and sign-out ({@code 16KB}), which anyone may call
 * @param maxSettingsBodySize settings layers and credentials, and the web interface's forms but sign-in, sign-up and
 *                            sign-out ({@code 256KB})
 * @param maxCompletionBodySize conversations sent whole to the compatibility APIs ({@code /v1/chat/completions} and
 *                              the like), images as data URLs included, and the native chat's messages, which may
 *                              carry images ({@code 8MB})
 */
@Validated
@ConfigurationProperties("atrium.http")
record HttpLimitsProperties(
        @DefaultValue("1MB") @NotNull DataSize maxBodySize,
        @DefaultValue("16KB") @NotNull DataSize maxAuthBodySize,
        @DefaultValue("256KB") @NotNull DataSize maxSettingsBodySize,
        @DefaultValue("8MB") @NotNull DataSize maxCompletionBodySize) {
}
