package org.atrium.accounts;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.UUID;

/**
 * An invitation to join a group, waiting for the invited user to accept or decline it. It grants nothing until it is
 * accepted: the group's settings and credentials reach the user only as a member.
 *
 * @param id        the invitation's id
 * @param groupId   the group
 * @param groupName the group's name, so the invited user knows what they are asked to join
 * @param userId    the invited user
 * @param userEmail the invited user's e-mail address, so the group's admins know whom they invited
 * @param role      the role they will have in the group once they accept
 * @param invitedBy who invited them, or {@code null} when that account has been deleted since
 * @param createdAt when they were invited
 */
@Schema(description = "An invitation to join a group; it takes effect only when the invited user accepts it.")
public record GroupInvitation(
        @Schema(example = "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f") UUID id,
        @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f") UUID groupId,
        @Schema(example = "Research") String groupName,
        @Schema(example = "0b9a3c1e-4e0f-4a53-9d6c-2f1f0d3c8a11") UUID userId,
        @Schema(example = "grace@example.org") String userEmail,
        @Schema(example = "member") GroupRole role,
        @Schema(example = "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910", nullable = true) @Nullable UUID invitedBy,
        @Schema(example = "2026-11-28T09:30:00Z") Instant createdAt) {
}
