package org.atrium.accounts;

import java.util.List;
import java.util.UUID;

/**
 * An account with the groups it belongs to: what effective state is resolved from.
 *
 * @param user        the account
 * @param memberships its groups, highest priority first
 */
public record AccessProfile(User user, List<Membership> memberships) {

    /** Freezes the list. */
    public AccessProfile {
        memberships = List.copyOf(memberships);
    }

    /**
     * One membership, with what decides the merge order of the group's settings.
     *
     * @param groupId   the group
     * @param groupName its name
     * @param priority  its priority (higher wins)
     * @param role      the member's role in it
     */
    public record Membership(UUID groupId, String groupName, int priority, GroupRole role) {
    }
}
