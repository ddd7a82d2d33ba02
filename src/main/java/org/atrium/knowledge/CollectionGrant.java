package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.util.UUID;

/**
 * An explicit grant on a collection, to one user or to every member of one group.
 *
 * @param userId  the user, or null for a group grant
 * @param groupId the group, or null for a user grant
 * @param access  {@code read} or {@code write}
 */
@Schema(description = "A grant of read or write access to a user or a group.")
public record CollectionGrant(
        @Schema(nullable = true) @Nullable UUID userId,
        @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f", nullable = true) @Nullable UUID groupId,
        @Schema(example = "read") Access access) {
}
