package org.atrium.settings;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A provider credential (an API key or an AI gateway's virtual key) as listed: masked, never the secret.
 *
 * @param id               its id
 * @param scope            {@code instance}, {@code group} or {@code user}
 * @param ownerId          the group or user it belongs to; null for instance credentials
 * @param connection       the provider connection it authenticates to
 * @param kind             {@code api_key} or {@code virtual_key}
 * @param name             what admins called it
 * @param maskedSecret     the secret masked: a conventional prefix such as {@code sk-} and at most its last four
 *                         characters (none under 12 characters, one per eight above)
 * @param sharedWithAll    instance credentials only: used by every user
 * @param sharedWithGroups instance credentials only: the groups whose members use it
 * @param createdAt        when it was stored
 */
@Schema(description = "A provider credential, masked.")
public record Credential(
        UUID id,
        @Schema(example = "group") String scope,
        @Nullable UUID ownerId,
        @Schema(example = "openai") String connection,
        @Schema(example = "virtual_key") String kind,
        @Schema(example = "Research gateway key") String name,
        @Schema(example = "sk-...abcd") String maskedSecret,
        boolean sharedWithAll,
        List<UUID> sharedWithGroups,
        Instant createdAt) {

    /** Freezes the list. */
    public Credential {
        sharedWithGroups = List.copyOf(sharedWithGroups);
    }
}
