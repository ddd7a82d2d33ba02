package org.atrium.accounts;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.UUID;

/**
 * A group of users.
 *
 * @param id          the group's id
 * @param name        its unique name
 * @param description what it is for
 * @param priority    which group's settings win for members of several groups (higher wins)
 * @param memberCount how many members it has
 * @param createdAt   when it was created
 */
@Schema(description = "A group of users.")
public record Group(
        @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f") UUID id,
        @Schema(example = "Research") String name,
        @Schema(example = "The research department") String description,
        @Schema(example = "10") int priority,
        @Schema(example = "12") int memberCount,
        @Schema(example = "2026-11-28T09:30:00Z") Instant createdAt) {
}
