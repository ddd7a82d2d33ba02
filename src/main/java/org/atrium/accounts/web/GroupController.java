package org.atrium.accounts.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Group;
import org.atrium.accounts.GroupMember;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.GroupService;
import org.atrium.platform.Page;
import org.atrium.platform.SafeDisplayName;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.UUID;

/** Groups and their members. */
@RestController
@RequestMapping("/api/v1/groups")
@Tag(name = "Groups", description = "Groups of users; instance admins manage them, group admins invite members.")
class GroupController {

    private final GroupService groups;

    GroupController(GroupService groups) {
        this.groups = groups;
    }

    @Schema(description = "A new group.")
    record CreateGroupRequest(
            @Schema(example = "Research") @NotBlank @Size(max = 100) @SafeDisplayName String name,
            @Schema(example = "The research department", nullable = true) @Nullable @Size(max = 1000)
            String description) {
    }

    @Schema(description = "Changes to a group; omitted fields keep their value.")
    record UpdateGroupRequest(
            @Schema(example = "Research and Development", nullable = true) @Nullable @Size(min = 1, max = 100)
            @Pattern(regexp = ".*\\S.*", message = "must not be blank") @SafeDisplayName String name,
            @Schema(example = "R&D, all sites", nullable = true) @Nullable @Size(max = 1000) String description) {
    }

    @Schema(description = "A membership to create or change.")
    record PutMemberRequest(
            @Schema(description = "`member`, or `admin` to let the user manage the group's members.",
                    example = "member") @NotNull GroupRole role) {
    }

    @GetMapping
    @Operation(summary = "List groups",
            description = "Instance admins see every group; other users see the groups they belong to. Sorted by"
                    + " name, one page at a time.")
    @ApiResponse(responseCode = "200", description = "One page of groups.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`account_pending`: the account is not approved yet.")
    Page<Group> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                     @Parameter(description = "How many groups to skip.", example = "0")
                     @RequestParam(defaultValue = "0") @Min(0) int offset,
                     @Parameter(description = "Page size, 1 to 200.", example = "50")
                     @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return groups.list(caller, offset, limit);
    }

    @PostMapping
    @Operation(summary = "Create a group", description = "Creates a group with no members. Instance admins only.")
    @ApiResponse(responseCode = "201", description = "The group.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `name` is missing or too long.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "409", description = "`group_name_taken`: another group has this name.")
    ResponseEntity<Group> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                 @Valid @RequestBody CreateGroupRequest body) {
        Group group = groups.create(caller, body.name(), body.description() == null ? "" : body.description());
        return ResponseEntity.status(HttpStatus.CREATED).body(group);
    }

    @GetMapping("/{groupId}")
    @Operation(summary = "Read a group", description = "Instance admins and the group's members may read it.")
    @ApiResponse(responseCode = "200", description = "The group.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    Group get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
              @Parameter(description = "The group's id.") @PathVariable UUID groupId) {
        return groups.get(caller, groupId);
    }

    @PatchMapping("/{groupId}")
    @Operation(summary = "Rename a group",
            description = "Changes a group's name or description. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "The group after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `name` is blank or too long.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group.")
    @ApiResponse(responseCode = "409", description = "`group_name_taken`: another group has this name.")
    Group update(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                 @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                 @Valid @RequestBody UpdateGroupRequest body) {
        return groups.update(caller, groupId, body.name(), body.description());
    }

    @DeleteMapping("/{groupId}")
    @Operation(summary = "Delete a group",
            description = "Deletes a group and its memberships. Deleting a group that does not exist succeeds."
                    + " Instance admins only.")
    @ApiResponse(responseCode = "204", description = "The group is gone.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                @Parameter(description = "The group's id.") @PathVariable UUID groupId) {
        groups.delete(caller, groupId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{groupId}/members")
    @Operation(summary = "List a group's members",
            description = "Lists members by e-mail address. Instance admins and the group's members may list them.")
    @ApiResponse(responseCode = "200", description = "One page of members.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    Page<GroupMember> members(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                              @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                              @Parameter(description = "How many members to skip.", example = "0")
                              @RequestParam(defaultValue = "0") @Min(0) int offset,
                              @Parameter(description = "Page size, 1 to 200.", example = "50")
                              @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return groups.members(caller, groupId, offset, limit);
    }

    @PutMapping("/{groupId}/members/{userId}")
    @Operation(summary = "Add a member or change their role",
            description = "Adds the user to the group directly, or changes their role in it. For instance admins,"
                    + " who may add anyone but another instance admin (who joins only by their own choice: invite"
                    + " them, or they add themselves). Group admins invite instead (`POST"
                    + " /api/v1/groups/{groupId}/invitations`), since membership subjects the user to the group's"
                    + " settings and credentials; they get `invitation_required`.")
    @ApiResponse(responseCode = "200", description = "The membership.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `role` is missing or unknown.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403",
            description = "`invitation_required`: a group admin tried to add someone, or an instance admin tried"
                    + " to add another instance admin; or `forbidden`: a group admin tried to make or change a"
                    + " group admin, or the caller is a plain member.")
    @ApiResponse(responseCode = "404",
            description = "`group_not_found`: no such group, or not yours to see; or `user_not_found`: no such user.")
    GroupMember putMember(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                          @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                          @Parameter(description = "The user's id.") @PathVariable UUID userId,
                          @Valid @RequestBody PutMemberRequest body) {
        return groups.putMember(caller, groupId, userId, body.role());
    }

    @DeleteMapping("/{groupId}/members/{userId}")
    @Operation(summary = "Remove a member, or leave",
            description = "Removes the user from the group; it no longer counts for them from their next request."
                    + " Removing someone who is not a member succeeds. Every member may remove themselves (leave),"
                    + " group admins too, even the last one (the group is then managed by instance admins alone)."
                    + " Instance admins may remove anyone; the group's admins may remove plain members.")
    @ApiResponse(responseCode = "204", description = "The user is not a member.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403",
            description = "`forbidden`: a group admin tried to remove another group admin, or a plain member tried"
                    + " to remove someone else.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    ResponseEntity<Void> removeMember(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                      @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                                      @Parameter(description = "The user's id.") @PathVariable UUID userId) {
        groups.removeMember(caller, groupId, userId);
        return ResponseEntity.noContent().build();
    }
}
