package org.atrium.accounts;

import org.atrium.cache.Broadcasts;
import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Page;
import org.atrium.platform.TransactionRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * Invitations to groups: how a group admin brings someone into their group. Membership subjects an account to the
 * group's settings, quotas and credentials (which credential embeds even the user's personal collections), so it
 * takes the user's consent: the invitation changes nothing until the invited user accepts it; they may also decline
 * it, and the group's admins may revoke it while it waits.
 *
 * <p>Rules: instance admins and the group's admins invite; group admins invite as {@code member} only (as they add no
 * group admins) and revoke only such invitations. Only the invited user answers an invitation; to anyone else it
 * does not exist (404), instance admins included, who add members directly instead.
 *
 * <p>Inviting, accepting and declining run through {@link TransactionRetry}: they lock invitation and membership
 * rows that concurrent membership changes lock too.
 */
@Service
public class GroupInvitationService {

    private static final Logger log = LoggerFactory.getLogger(GroupInvitationService.class);

    private final GroupService groupService;
    private final GroupStore groups;
    private final UserStore users;
    private final InvitationStore invitations;
    private final InvitationEvents events;
    private final Invalidation invalidation;
    private final TransactionRetry retry;

    GroupInvitationService(GroupService groupService, GroupStore groups, UserStore users, InvitationStore invitations,
                           InvitationEvents events, Invalidation invalidation, TransactionRetry retry) {
        this.groupService = groupService;
        this.groups = groups;
        this.users = users;
        this.invitations = invitations;
        this.events = events;
        this.invalidation = invalidation;
        this.retry = retry;
    }

    /**
     * Invites a user to a group.
     *
     * @param caller  an instance admin, or an admin of the group (who may invite as {@code member} only)
     * @param groupId the group
     * @param userId  the user to invite
     * @param role    the role the user will have once they accept
     * @return the invitation
     * @throws AtriumException {@code group_not_found} (404), {@code forbidden} (403) for plain members and for a
     *                         group admin inviting as {@code admin}, {@code user_not_found} (404),
     *                         {@code already_member} (409), {@code invitation_exists} (409),
     *                         {@code conflict} (409) when concurrent changes kept colliding with it
     */
    public GroupInvitation invite(Caller caller, UUID groupId, UUID userId, GroupRole role) {
        return retry.execute("group.invitation.create", () -> insert(caller, groupId, userId, role));
    }

    /**
     * Invites a user to a group by their e-mail address, as {@link #invite} does by id: what a group admin knows of
     * the people they invite. It tells the group's admins whether an account has that address ({@code
     * user_not_found} otherwise), which they may learn anyway by asking the person.
     *
     * @param email the user's e-mail address, regardless of case
     * @throws AtriumException as {@link #invite}; the manager check comes before the address is looked up, so that
     *                         nobody else learns whether it has an account
     */
    public GroupInvitation inviteByEmail(Caller caller, UUID groupId, String email, GroupRole role) {
        groupService.requireManager(caller, groupId);
        if (email.length() > EmailAddresses.MAX_LENGTH) {
            throw AtriumException.invalidField("email", "must be at most " + EmailAddresses.MAX_LENGTH
                    + " characters");
        }
        UUID userId = users.findIdByEmail(email)
                .orElseThrow(() -> AtriumException.notFound("user_not_found", "No account has this e-mail address."));
        return invite(caller, groupId, userId, role);
    }

    private GroupInvitation insert(Caller caller, UUID groupId, UUID userId, GroupRole role) {
        boolean groupAdmin = groupService.requireManager(caller, groupId);
        if (groupAdmin && role == GroupRole.ADMIN) {
            throw AtriumException.forbidden("forbidden", "Only an instance admin can make someone a group admin.");
        }
        users.find(userId).orElseThrow(() -> AtriumException.notFound("user_not_found", "No such user."));
        if (groups.roleOf(groupId, userId).isPresent()) {
            throw AtriumException.conflict("already_member", "The user is already a member of the group.");
        }
        GroupInvitation invitation = invitations.insert(groupId, userId, role, caller.userId())
                .orElseThrow(() -> AtriumException.conflict("invitation_exists",
                        "The user already has an invitation to this group; revoke it to invite them again."));
        LogEvents.info(log, "group.invitation.created").addKeyValue("group_id", groupId)
                .addKeyValue("invitation_id", invitation.id()).addKeyValue("invited_user_id", userId)
                .addKeyValue("group_role", role.value()).log();
        events.created(invitation);
        return invitation;
    }

    /**
     * Lists the invitations of a group that wait for an answer, oldest first.
     *
     * @param caller  an instance admin or an admin of the group
     * @param groupId the group
     * @param offset  how many to skip
     * @param limit   page size
     * @return one page
     * @throws AtriumException {@code group_not_found} (404), {@code forbidden} (403) for plain members
     */
    @Transactional(readOnly = true)
    public Page<GroupInvitation> ofGroup(Caller caller, UUID groupId, int offset, int limit) {
        groupService.requireManager(caller, groupId);
        return new Page<>(invitations.pageOfGroup(groupId, offset, limit), invitations.countOfGroup(groupId),
                offset, limit);
    }

    /**
     * Revokes an invitation of a group. Revoking one that is not (any more) there succeeds.
     *
     * @param caller       an instance admin, or an admin of the group (invitations as {@code member} only)
     * @param groupId      the group
     * @param invitationId the invitation
     * @throws AtriumException {@code group_not_found} (404), {@code forbidden} (403) for plain members and for a
     *                         group admin revoking an invitation as {@code admin}
     */
    @Transactional
    public void revoke(Caller caller, UUID groupId, UUID invitationId) {
        boolean groupAdmin = groupService.requireManager(caller, groupId);
        boolean asAdmin = invitations.find(invitationId)
                .filter(found -> found.groupId().equals(groupId) && found.role() == GroupRole.ADMIN).isPresent();
        if (groupAdmin && asAdmin) {
            throw AtriumException.forbidden("forbidden",
                    "Only an instance admin can revoke an invitation to become a group admin.");
        }
        if (invitations.delete(invitationId, groupId)) {
            LogEvents.info(log, "group.invitation.revoked").addKeyValue("group_id", groupId)
                    .addKeyValue("invitation_id", invitationId).log();
        }
    }

    /**
     * Lists the caller's own invitations, oldest first.
     *
     * @param caller the invited user
     * @param offset how many to skip
     * @param limit  page size
     * @return one page
     */
    @Transactional(readOnly = true)
    public Page<GroupInvitation> mine(Caller caller, int offset, int limit) {
        return new Page<>(invitations.pageOfUser(caller.userId(), offset, limit),
                invitations.countOfUser(caller.userId()), offset, limit);
    }

    /**
     * Accepts one of the caller's invitations: the caller becomes a member of the group with the invitation's role,
     * and the group's settings apply to them from their next request, on every replica (the user's cache scope is
     * raised in this transaction, as for any membership change).
     *
     * @param caller       the invited user
     * @param invitationId the invitation
     * @return the membership
     * @throws AtriumException {@code invitation_not_found} (404) when it is not the caller's, or gone,
     *                         {@code conflict} (409) when concurrent changes kept colliding with it
     */
    public GroupMember accept(Caller caller, UUID invitationId) {
        return retry.execute("group.invitation.accept", () -> join(caller, invitationId));
    }

    private GroupMember join(Caller caller, UUID invitationId) {
        GroupInvitation invitation = invitations.take(invitationId, caller.userId()).orElseThrow(
                GroupInvitationService::notFound);
        GroupMember member = groups.insertMember(invitation.groupId(), caller.userId(), invitation.role());
        invalidation.changed(Scope.user(caller.userId()));
        LogEvents.info(log, "group.invitation.accepted").addKeyValue("group_id", invitation.groupId())
                .addKeyValue("invitation_id", invitationId).addKeyValue("member_user_id", caller.userId())
                .addKeyValue("group_role", member.role().value()).log();
        return member;
    }

    /**
     * Declines one of the caller's invitations: it is gone, and nothing else changes.
     *
     * @param caller       the invited user
     * @param invitationId the invitation
     * @throws AtriumException {@code invitation_not_found} (404) when it is not the caller's, or gone,
     *                         {@code conflict} (409) when concurrent changes kept colliding with it
     */
    public void decline(Caller caller, UUID invitationId) {
        retry.run("group.invitation.decline", () -> {
            GroupInvitation invitation = invitations.take(invitationId, caller.userId()).orElseThrow(
                    GroupInvitationService::notFound);
            LogEvents.info(log, "group.invitation.declined").addKeyValue("group_id", invitation.groupId())
                    .addKeyValue("invitation_id", invitationId).log();
        });
    }

    /**
     * Receives every invitation created from now on, on any replica, once committed (best effort: see
     * {@link Broadcasts}). For live events; whoever passes an invitation on must show it to its invited user only.
     *
     * @param receiver called for each new invitation, on a transport thread: keep it short
     * @return a handle that stops the delivery
     */
    public Broadcasts.Subscription onInvitation(Consumer<GroupInvitation> receiver) {
        return events.subscribe(receiver);
    }

    private static AtriumException notFound() {
        return AtriumException.notFound("invitation_not_found", "No such invitation.");
    }
}
