package org.atrium.accounts;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.UUID;

/**
 * A user's membership of a group.
 *
 * @param userId   the member's account id
 * @param email    the member's e-mail address
 * @param name     the member's display name
 * @param role     their role in the group
 * @param joinedAt when they were added
 */
@Schema(description = "A member of a group.")
public record GroupMember(
        @Schema(example = "0b9a3c1e-4e0f-4a53-9d6c-2f1f0d3c8a11") UUID userId,
        @Schema(example = "ada@example.org") String email,
        @Schema(example = "Ada Lovelace") String name,
        @Schema(example = "member") GroupRole role,
        @Schema(example = "2026-11-28T09:30:00Z") Instant joinedAt) {
}
