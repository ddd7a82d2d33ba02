package org.atrium.accounts;

import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Page;
import org.atrium.platform.TransactionRetry;
import org.atrium.platform.UntrustedText;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.Optional;
import java.util.UUID;

/**
 * Groups and their members.
 *
 * <p>Rules: instance admins manage every group and add members directly (never another instance admin, who joins
 * only by their own choice). A group's admins invite users ({@link GroupInvitationService}) and remove the group's
 * plain members; only an instance admin makes someone a group admin or removes one. Every member may leave. Members
 * see their group and its members; to anyone else a group does not exist (404).
 */
@Service
public class GroupService {

    /** Longest group name, in characters. */
    public static final int MAX_NAME_LENGTH = 100;
    /** Longest description, in characters. */
    public static final int MAX_DESCRIPTION_LENGTH = 1000;

    private static final Logger log = LoggerFactory.getLogger(GroupService.class);

    private final GroupStore groups;
    private final UserStore users;
    private final InvitationStore invitations;
    private final Invalidation invalidation;
    private final TransactionRetry retry;
    private final ApplicationEventPublisher events;

    GroupService(GroupStore groups, UserStore users, InvitationStore invitations, Invalidation invalidation,
                 TransactionRetry retry, ApplicationEventPublisher events) {
        this.retry = retry;
        this.events = events;
        this.groups = groups;
        this.users = users;
        this.invitations = invitations;
        this.invalidation = invalidation;
    }

    /**
     * Creates a group. Instance admins only.
     *
     * @param caller      the current caller
     * @param name        a name no other group has (regardless of case)
     * @param description what the group is for
     * @return the group
     * @throws AtriumException {@code validation_failed} (400) for a name or description out of bounds,
     *                         {@code admin_required} (403), {@code group_name_taken} (409)
     */
    @Transactional
    public Group create(Caller caller, String name, String description) {
        caller.requireAdmin();
        String cleanName = UntrustedText.displayName("name", name, MAX_NAME_LENGTH);
        if (cleanName.isEmpty()) {
            throw AtriumException.invalidField("name", "must not be blank");
        }
        String cleanDescription = UntrustedText.text("description", description, MAX_DESCRIPTION_LENGTH);
        requireFreeName(cleanName, new UUID(0, 0));
        UUID id = groups.insert(cleanName, cleanDescription);
        LogEvents.info(log, "group.created").addKeyValue("group_id", id).log();
        return groups.find(id).orElseThrow();
    }

    /**
     * Lists groups by name: all of them for instance admins, the caller's own for everyone else.
     *
     * @param caller the current caller
     * @param offset how many to skip
     * @param limit  page size
     * @return one page
     */
    @Transactional(readOnly = true)
    public Page<Group> list(Caller caller, int offset, int limit) {
        if (caller.isAdmin()) {
            return new Page<>(groups.page(offset, limit), groups.count(), offset, limit);
        }
        return new Page<>(groups.pageOf(caller.userId(), offset, limit), groups.countOf(caller.userId()),
                offset, limit);
    }

    /**
     * Reads a group the caller may see.
     *
     * @param caller  the current caller
     * @param groupId the group
     * @return the group
     * @throws AtriumException {@code group_not_found} (404)
     */
    @Transactional(readOnly = true)
    public Group get(Caller caller, UUID groupId) {
        return requireVisible(caller, groupId);
    }

    /**
     * Renames a group or changes its description. Instance admins only.
     *
     * @param caller      the current caller
     * @param groupId     the group
     * @param name        the new name, or {@code null} to keep it
     * @param description the new description, or {@code null} to keep it
     * @return the group after the change
     * @throws AtriumException {@code admin_required} (403), {@code group_not_found} (404), {@code group_name_taken}
     *                         (409)
     */
    @Transactional
    public Group update(Caller caller, UUID groupId, @Nullable String name,
                        @Nullable String description) {
        caller.requireAdmin();
        Group current = groups.find(groupId).orElseThrow(GroupService::notFound);
        String newName = name == null ? current.name() : name.strip();
        if (!newName.equalsIgnoreCase(current.name())) {
            requireFreeName(newName, groupId);
        }
        groups.update(groupId, newName, description == null ? current.description() : description.strip());
        invalidation.changed(Scope.group(groupId));
        LogEvents.info(log, "group.updated").addKeyValue("group_id", groupId).log();
        return groups.find(groupId).orElseThrow(GroupService::notFound);
    }

    /**
     * Deletes a group and its memberships. Instance admins only. Deleting a group that no longer exists succeeds.
     *
     * @param caller  the current caller
     * @param groupId the group
     * @throws AtriumException {@code admin_required} (403)
     */
    public void delete(Caller caller, UUID groupId) {
        caller.requireAdmin();
        // Lock order (docs/ARCHITECTURE.md): the group row, then what the cascades will change, then the delete.
        retry.run("group.delete", () -> {
            if (!groups.lockForDeletion(groupId)) {
                return;
            }
            events.publishEvent(new OwnerDeleting(null, groupId));
            groups.delete(groupId);
            invalidation.changed(Scope.group(groupId));
            LogEvents.info(log, "group.deleted").addKeyValue("group_id", groupId).log();
        });
    }

    /**
     * Lists a group's members by e-mail address.
     *
     * @param caller  an instance admin or a member of the group
     * @param groupId the group
     * @param offset  how many to skip
     * @param limit   page size
     * @return one page
     * @throws AtriumException {@code group_not_found} (404)
     */
    @Transactional(readOnly = true)
    public Page<GroupMember> members(Caller caller, UUID groupId, int offset, int limit) {
        requireVisible(caller, groupId);
        return new Page<>(groups.members(groupId, offset, limit), groups.countMembers(groupId), offset, limit);
    }

    /**
     * Adds a user to a group or changes their role in it, directly: for instance admins. A group's settings, quotas
     * and credentials govern its members (down to which credential embeds their personal collections), so nobody else
     * makes someone a member without their consent: group admins invite ({@link GroupInvitationService}), and an
     * instance admin joins a group only by their own choice (an invitation they accept, or adding themselves).
     *
     * @param caller  an instance admin; a group admin may only "put" an existing plain member as {@code member},
     *                which changes nothing
     * @param groupId the group
     * @param userId  the user
     * @param role    the role in the group
     * @return the membership
     * @throws AtriumException {@code group_not_found} (404), {@code user_not_found} (404), {@code forbidden} (403)
     *                         for a group admin making or changing a group admin, {@code invitation_required} (403)
     *                         for a group admin adding anyone, or an instance admin adding another instance admin,
     *                         {@code conflict} (409) when concurrent changes kept colliding with it
     */
    public GroupMember putMember(Caller caller, UUID groupId, UUID userId, GroupRole role) {
        return retry.execute("group.member.put", () -> upsertMember(caller, groupId, userId, role));
    }

    private GroupMember upsertMember(Caller caller, UUID groupId, UUID userId, GroupRole role) {
        boolean groupAdmin = requireManager(caller, groupId);
        Optional<GroupMember> current = groups.member(groupId, userId);
        if (groupAdmin) {
            if (role == GroupRole.ADMIN || current.filter(m -> m.role() == GroupRole.ADMIN).isPresent()) {
                throw AtriumException.forbidden("forbidden",
                        "Only an instance admin can make someone a group admin or change a group admin's role.");
            }
            return current.orElseThrow(() -> invitationRequired(
                    "Group admins do not add members: invite the user, who becomes a member on accepting."));
        }
        User target = users.find(userId)
                .orElseThrow(() -> AtriumException.notFound("user_not_found", "No such user."));
        if (current.isEmpty() && target.role() == Role.ADMIN && !userId.equals(caller.userId())) {
            throw invitationRequired("An instance admin joins a group only by their own choice: invite them.");
        }
        GroupMember member = groups.upsertMember(groupId, userId, role);
        invitations.deleteFor(groupId, userId);
        invalidation.changed(Scope.user(userId));
        LogEvents.info(log, "group.member.put").addKeyValue("group_id", groupId)
                .addKeyValue("member_user_id", userId).addKeyValue("group_role", role.value()).log();
        return member;
    }

    /**
     * Removes a user from a group. Removing someone who is not a member succeeds. Every member may leave (remove
     * themselves), group admins included, even the last one: a group without group admins is managed by instance
     * admins alone, as a new group is, and nobody can be kept under a group's settings against their will.
     *
     * @param caller  an instance admin; an admin of this group (who may remove plain members and themselves); or a
     *                member removing themselves
     * @param groupId the group
     * @param userId  the user
     * @throws AtriumException {@code group_not_found} (404), {@code forbidden} (403),
     *                         {@code conflict} (409) when concurrent changes kept colliding with it
     */
    public void removeMember(Caller caller, UUID groupId, UUID userId) {
        retry.run("group.member.remove", () -> deleteMember(caller, groupId, userId));
    }

    private void deleteMember(Caller caller, UUID groupId, UUID userId) {
        if (!caller.isAdmin() && userId.equals(caller.userId())) {
            requireVisible(caller, groupId);
        } else {
            boolean groupAdmin = requireManager(caller, groupId);
            if (groupAdmin && isGroupAdmin(groupId, userId)) {
                throw AtriumException.forbidden("forbidden", "Only an instance admin can remove a group admin.");
            }
        }
        if (groups.deleteMember(groupId, userId)) {
            invalidation.changed(Scope.user(userId));
            LogEvents.info(log, userId.equals(caller.userId()) ? "group.member.left" : "group.member.removed")
                    .addKeyValue("group_id", groupId).addKeyValue("member_user_id", userId).log();
        }
    }

    /**
     * Sets which group's settings win for members of several groups. Instance admins only: a group admin could
     * otherwise raise their group above others.
     *
     * @param caller   the current caller
     * @param groupId  the group
     * @param priority higher wins
     * @throws AtriumException {@code admin_required} (403), {@code group_not_found} (404)
     */
    @Transactional
    public void setPriority(Caller caller, UUID groupId, int priority) {
        caller.requireAdmin();
        groups.find(groupId).orElseThrow(GroupService::notFound);
        groups.setPriority(groupId, priority);
        invalidation.changed(Scope.group(groupId));
        LogEvents.info(log, "group.priority.changed").addKeyValue("group_id", groupId)
                .addKeyValue("priority", priority).log();
    }

    /**
     * Whether the caller manages the group, by the rule every change to it is checked against: an instance admin, or
     * an admin of the group. The interface asks it to know which forms to offer.
     *
     * @param caller  the caller
     * @param groupId the group
     * @return whether they manage it
     */
    @Transactional(readOnly = true)
    public boolean manages(Caller caller, UUID groupId) {
        return caller.isAdmin() || isGroupAdmin(groupId, caller.userId());
    }

    /**
     * Fails unless the caller is an instance admin or an admin of the group.
     *
     * @param caller  the current caller
     * @param groupId the group
     * @throws AtriumException {@code group_not_found} (404) for non-members, {@code forbidden} (403) for members
     */
    @Transactional(readOnly = true)
    public void requireGroupAdmin(Caller caller, UUID groupId) {
        requireManager(caller, groupId);
    }

    /**
     * Fails unless the caller may see the group (instance admin or member).
     *
     * @param caller  the current caller
     * @param groupId the group
     * @return the group
     * @throws AtriumException {@code group_not_found} (404)
     */
    @Transactional(readOnly = true)
    public Group requireVisible(Caller caller, UUID groupId) {
        if (!caller.isAdmin() && groups.roleOf(groupId, caller.userId()).isEmpty()) {
            throw notFound();
        }
        return groups.find(groupId).orElseThrow(GroupService::notFound);
    }

    /**
     * Looks a group up for background work that acts on behalf of the group itself (ingestion, re-indexing), where
     * there is no caller to check.
     *
     * @param groupId the group
     * @return the group, or empty when it does not exist (any more)
     */
    @Transactional(readOnly = true)
    public Optional<Group> find(UUID groupId) {
        return groups.find(groupId);
    }

    /**
     * Fails unless the caller is an instance admin or an admin of the group.
     *
     * @return {@code true} when the caller manages the group as its group admin rather than as instance admin
     * @throws AtriumException {@code group_not_found} (404) for non-members, {@code forbidden} (403) for members
     */
    boolean requireManager(Caller caller, UUID groupId) {
        if (caller.isAdmin()) {
            groups.find(groupId).orElseThrow(GroupService::notFound);
            return false;
        }
        Optional<GroupRole> role = groups.roleOf(groupId, caller.userId());
        if (role.isEmpty()) {
            throw notFound();
        }
        if (role.get() != GroupRole.ADMIN) {
            throw AtriumException.forbidden("forbidden", "Only the group's admins manage its members.");
        }
        return true;
    }

    boolean isGroupAdmin(UUID groupId, UUID userId) {
        return groups.roleOf(groupId, userId).filter(r -> r == GroupRole.ADMIN).isPresent();
    }

    private void requireFreeName(String name, UUID exceptId) {
        if (groups.nameTaken(name, exceptId)) {
            throw nameTaken();
        }
    }

    static AtriumException nameTaken() {
        return AtriumException.conflict("group_name_taken", "Another group already has this name.");
    }

    static AtriumException invitationRequired(String detail) {
        return AtriumException.forbidden("invitation_required", detail);
    }

    static AtriumException notFound() {
        return AtriumException.notFound("group_not_found", "No such group.");
    }
}
