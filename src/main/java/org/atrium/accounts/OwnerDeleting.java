package org.atrium.accounts;

import org.jspecify.annotations.Nullable;

import java.util.UUID;

/**
 * Published synchronously inside the transaction that deletes a user or a group, after its row is locked and before
 * it is deleted, so that modules whose rows the deletion cascades into lock them first, in the one lock order of
 * docs/ARCHITECTURE.md. Exactly one of the two ids is set.
 *
 * @param userId  the user being deleted, or {@code null}
 * @param groupId the group being deleted, or {@code null}
 */
public record OwnerDeleting(@Nullable UUID userId, @Nullable UUID groupId) {
}
