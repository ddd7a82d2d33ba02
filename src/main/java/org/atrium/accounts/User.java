package org.atrium.accounts;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.UUID;

/**
 * An account as others see it; never carries the password hash.
 *
 * @param id        the account's id
 * @param email     the sign-in e-mail address
 * @param name      the display name
 * @param role      the instance-wide role
 * @param createdAt when the account was created
 */
@Schema(description = "An account.")
public record User(
        @Schema(example = "0b9a3c1e-4e0f-4a53-9d6c-2f1f0d3c8a11") UUID id,
        @Schema(example = "ada@example.org") String email,
        @Schema(example = "Ada Lovelace") String name,
        @Schema(example = "user") Role role,
        @Schema(example = "2026-11-28T09:30:00Z") Instant createdAt) {
}
