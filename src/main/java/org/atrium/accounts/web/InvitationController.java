package org.atrium.accounts.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupInvitation;
import org.atrium.accounts.GroupInvitationService;
import org.atrium.accounts.GroupMember;
import org.atrium.accounts.GroupRole;
import org.atrium.platform.AtriumException;
import org.atrium.platform.Page;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.UUID;

/** Invitations to groups: sent by a group's admins, answered by the invited user. */
@RestController
@Tag(name = "Group invitations",
        description = "How users join groups: a group admin invites, the invited user accepts or declines.")
class InvitationController {

    private static final String GROUP_INVITATIONS = "/api/v1/groups/{groupId}/invitations";
    private static final String INVITATIONS = "/api/v1/invitations";

    private final GroupInvitationService invitations;

    InvitationController(GroupInvitationService invitations) {
        this.invitations = invitations;
    }

    @Schema(description = "Whom to invite, and as what.")
    record InviteRequest(
            @Schema(description = "The user's id; or give `email`.", example = "0b9a3c1e-4e0f-4a53-9d6c-2f1f0d3c8a11",
                    nullable = true) @Nullable UUID userId,
            @Schema(description = "The user's e-mail address, regardless of case; or give `userId`.",
                    example = "grace@example.org", nullable = true) @Nullable @Size(max = 320) String email,
            @Schema(description = "`member` (the default), or `admin` (instance admins only).", example = "member",
                    nullable = true) @Nullable GroupRole role) {
    }

    @PostMapping(GROUP_INVITATIONS)
    @Operation(summary = "Invite a user to a group",
            description = "Invites the user; nothing changes for them until they accept (the group's settings,"
                    + " quotas and credentials apply to members only). Instance admins and the group's admins may"
                    + " invite; group admins invite as `member` only. A user has at most one invitation per group."
                    + " Name the user by id or by e-mail address.")
    @ApiResponse(responseCode = "201", description = "The invitation, waiting for the user's answer.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: neither `userId` nor `email` is given, or"
            + " both, or `role` is unknown.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member, or a group admin"
            + " inviting as `admin`.")
    @ApiResponse(responseCode = "404",
            description = "`group_not_found`: no such group, or not yours to see; or `user_not_found`: no such user,"
                    + " or no account has that e-mail address.")
    @ApiResponse(responseCode = "409", description = "`already_member`: the user is a member already; or"
            + " `invitation_exists`: the user has an invitation to this group already.")
    ResponseEntity<GroupInvitation> invite(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                           @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                                           @Valid @RequestBody InviteRequest body) {
        GroupRole role = body.role() == null ? GroupRole.MEMBER : body.role();
        if ((body.userId() == null) == (body.email() == null)) {
            throw AtriumException.invalidField("userId", "give either userId or email");
        }
        GroupInvitation invitation = body.userId() != null ? invitations.invite(caller, groupId, body.userId(), role)
                : invitations.inviteByEmail(caller, groupId, body.email(), role);
        return ResponseEntity.status(HttpStatus.CREATED).body(invitation);
    }

    @GetMapping(GROUP_INVITATIONS)
    @Operation(summary = "List a group's invitations",
            description = "The invitations of the group that wait for an answer, oldest first. Instance admins and"
                    + " the group's admins may list them.")
    @ApiResponse(responseCode = "200", description = "One page of invitations.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    Page<GroupInvitation> ofGroup(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                  @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                                  @Parameter(description = "How many invitations to skip.", example = "0")
                                  @RequestParam(defaultValue = "0") @Min(0) int offset,
                                  @Parameter(description = "Page size, 1 to 200.", example = "50")
                                  @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return invitations.ofGroup(caller, groupId, offset, limit);
    }

    @DeleteMapping(GROUP_INVITATIONS + "/{invitationId}")
    @Operation(summary = "Revoke an invitation",
            description = "Withdraws an invitation that waits for an answer. Revoking one that is not there (any"
                    + " more) succeeds. Instance admins may revoke any; the group's admins those as `member`.")
    @ApiResponse(responseCode = "204", description = "The invitation is gone.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member, or a group admin"
            + " revoking an invitation as `admin`.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    ResponseEntity<Void> revoke(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                                @Parameter(description = "The invitation's id.") @PathVariable UUID invitationId) {
        invitations.revoke(caller, groupId, invitationId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping(INVITATIONS)
    @Operation(summary = "List my invitations",
            description = "The caller's invitations to groups that wait for their answer, oldest first.")
    @ApiResponse(responseCode = "200", description = "One page of invitations.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    Page<GroupInvitation> mine(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                               @Parameter(description = "How many invitations to skip.", example = "0")
                               @RequestParam(defaultValue = "0") @Min(0) int offset,
                               @Parameter(description = "Page size, 1 to 200.", example = "50")
                               @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return invitations.mine(caller, offset, limit);
    }

    @PostMapping(INVITATIONS + "/{invitationId}/accept")
    @Operation(summary = "Accept an invitation",
            description = "Makes the caller a member of the group, with the invitation's role; the group's settings"
                    + " apply to them from their next request. Only the invited user may accept.")
    @ApiResponse(responseCode = "200", description = "The caller's membership.")
    @ApiResponse(responseCode = "404",
            description = "`invitation_not_found`: no such invitation, not yours, or revoked meanwhile.")
    GroupMember accept(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                       @Parameter(description = "The invitation's id.") @PathVariable UUID invitationId) {
        return invitations.accept(caller, invitationId);
    }

    @PostMapping(INVITATIONS + "/{invitationId}/decline")
    @Operation(summary = "Decline an invitation",
            description = "Refuses the invitation, which is then gone; the caller does not join the group. Only the"
                    + " invited user may decline.")
    @ApiResponse(responseCode = "204", description = "The invitation is declined.")
    @ApiResponse(responseCode = "404",
            description = "`invitation_not_found`: no such invitation, not yours, or revoked meanwhile.")
    ResponseEntity<Void> decline(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                 @Parameter(description = "The invitation's id.") @PathVariable UUID invitationId) {
        invitations.decline(caller, invitationId);
        return ResponseEntity.noContent().build();
    }
}
