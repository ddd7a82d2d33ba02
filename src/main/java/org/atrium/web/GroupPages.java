package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.Group;
import org.atrium.accounts.GroupInvitationService;
import org.atrium.accounts.GroupMember;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.GroupService;
import org.atrium.accounts.User;
import org.atrium.knowledge.CollectionService;
import org.atrium.platform.AtriumException;
import org.atrium.settings.CredentialService;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.SettingKey;
import org.atrium.settings.SettingsService;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A group's page: its members (roles changed and members removed by its admins; added by instance admins, invited by
 * e-mail address by its admins), the
 * provider keys and virtual keys its members inherit, and the settings they inherit (the embedding model of its
 * collections among them), its collections, with a link to the usage charged to it. Members may see
 * it; its admins and instance admins change it, through the same services as the API, whose rules decide (a group
 * admin makes nobody an admin, for instance). A group that does not exist or is not the caller's leads back to the
 * settings page.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class GroupPages {

    private static final int LISTED = 500;
    /** The settings a group's layer may set: all but the instance's own policies. */
    private static final Predicate<SettingKey> GROUP_SETTINGS = key -> !key.instanceOnly();
    private static final String GROUP_NOT_FOUND = "group_not_found";
    /** Where a group that is gone, or not the caller's to see, leads: the settings page lists theirs. */
    private static final String GROUPS_LISTED = "redirect:/settings";

    private final GroupService groups;
    private final AccountService accounts;
    private final CredentialService credentials;
    private final SettingsService settings;
    private final GroupInvitationService invitations;
    private final CollectionService collections;

    GroupPages(GroupService groups, AccountService accounts, CredentialService credentials,
               SettingsService settings, GroupInvitationService invitations, CollectionService collections) {
        this.invitations = invitations;
        this.collections = collections;
        this.groups = groups;
        this.accounts = accounts;
        this.credentials = credentials;
        this.settings = settings;
    }

    @GetMapping("/groups/{groupId}")
    String group(EffectiveState state, @PathVariable UUID groupId, CsrfToken csrf, Model model) {
        return Forms.unlessGone(() -> view(state, groupId, csrf, model, null), GROUP_NOT_FOUND, GROUPS_LISTED);
    }

    /** Adds a member (instance admins) or changes a member's role. */
    @PostMapping("/groups/{groupId}/members")
    String putMember(EffectiveState state, @PathVariable UUID groupId, @RequestParam(defaultValue = "") String user,
                     @RequestParam(defaultValue = "member") String role, CsrfToken csrf, Model model,
                     HttpServletResponse response) {
        return act(state, groupId, csrf, model, response, "The membership was not changed: ", () -> {
            GroupRole chosen = switch (role) {
                case "member" -> GroupRole.MEMBER;
                case "admin" -> GroupRole.ADMIN;
                default -> throw AtriumException.invalidField("role", "must be member or admin");
            };
            groups.putMember(state.caller(), groupId, Forms.id(user, "user"), chosen);
        });
    }

    @PostMapping("/groups/{groupId}/members/{userId}/remove")
    String removeMember(EffectiveState state, @PathVariable UUID groupId, @PathVariable UUID userId,
                        CsrfToken csrf, Model model, HttpServletResponse response) {
        return act(state, groupId, csrf, model, response, "The member was not removed: ",
                () -> groups.removeMember(state.caller(), groupId, userId));
    }

    /** Invites someone by e-mail address, as a member; they join when they accept, on their settings page. */
    @PostMapping("/groups/{groupId}/invitations")
    String invite(EffectiveState state, @PathVariable UUID groupId, @RequestParam(defaultValue = "") String email,
                  CsrfToken csrf, Model model, HttpServletResponse response) {
        return act(state, groupId, csrf, model, response, "The invitation was not sent: ",
                () -> invitations.inviteByEmail(state.caller(), groupId, email.strip(), GroupRole.MEMBER));
    }

    @PostMapping("/groups/{groupId}/invitations/{invitationId}/revoke")
    String revokeInvitation(EffectiveState state, @PathVariable UUID groupId, @PathVariable UUID invitationId,
                            CsrfToken csrf, Model model, HttpServletResponse response) {
        return act(state, groupId, csrf, model, response, "The invitation was not revoked: ",
                () -> invitations.revoke(state.caller(), groupId, invitationId));
    }

    /** Stores a key the group's members inherit for a connection: an API key or an AI gateway's virtual key. */
    @PostMapping("/groups/{groupId}/credentials")
    String addCredential(EffectiveState state, @PathVariable UUID groupId,
                         @RequestParam(defaultValue = "") String connection,
                         @RequestParam(defaultValue = "api_key") String kind,
                         @RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String secret,
                         CsrfToken csrf, Model model, HttpServletResponse response) {
        return act(state, groupId, csrf, model, response, "The key was not stored: ",
                () -> credentials.createGroup(state.caller(), groupId, new CredentialService.NewCredential(
                        connection.strip(), kind, name, secret)));
    }

    @PostMapping("/groups/{groupId}/credentials/{credentialId}/delete")
    String deleteCredential(EffectiveState state, @PathVariable UUID groupId, @PathVariable UUID credentialId,
                            CsrfToken csrf, Model model, HttpServletResponse response) {
        return act(state, groupId, csrf, model, response, "The key was not deleted: ",
                () -> credentials.deleteGroup(state.caller(), groupId, credentialId));
    }

    /**
     * Replaces the group's layer of settings with the form's (an empty field inherits the instance's value) and,
     * for instance admins, the group's priority.
     */
    @PostMapping("/groups/{groupId}/settings")
    String setSettings(EffectiveState state, @PathVariable UUID groupId, @RequestParam Map<String, String> form,
                       CsrfToken csrf, Model model, HttpServletResponse response) {
        model.addAttribute(Forms.SUBMITTED_SETTINGS, form);
        return act(state, groupId, csrf, model, response, "The settings were not saved: ", () -> {
            Integer priority = null;
            String asked = form.getOrDefault("priority", "").strip();
            if (state.caller().isAdmin() && !asked.isEmpty()) {
                try {
                    priority = Integer.valueOf(asked);
                } catch (NumberFormatException notANumber) {
                    throw AtriumException.invalidField("priority", "must be a whole number");
                }
            }
            settings.replaceGroup(state.caller(), groupId, SettingField.layer(form, GROUP_SETTINGS), priority);
        });
    }

    private String act(EffectiveState state, UUID groupId, CsrfToken csrf, Model model, HttpServletResponse response,
                       String failed, Runnable action) {
        return Forms.unlessGone(() -> {
            try {
                action.run();
                return "redirect:/groups/" + groupId;
            } catch (AtriumException refused) {
                if (refused.status() == HttpStatus.NOT_FOUND && GROUP_NOT_FOUND.equals(refused.code())) {
                    throw refused;
                }
                response.setStatus(refused.status().value());
                return view(state, groupId, csrf, model, failed + Forms.refusal(refused));
            }
        }, GROUP_NOT_FOUND, GROUPS_LISTED);
    }

    private String view(EffectiveState state, UUID groupId, CsrfToken csrf, Model model, @Nullable String error) {
        Group group = groups.requireVisible(state.caller(), groupId);
        boolean manages = groups.manages(state.caller(), groupId);
        List<GroupMember> members = groups.members(state.caller(), groupId, 0, LISTED).items();
        Set<UUID> memberIds = members.stream().map(GroupMember::userId).collect(Collectors.toSet());
        List<User> addable = state.caller().isAdmin() ? accounts.listUsers(state.caller(), 0, LISTED).items()
                .stream().filter(u -> !memberIds.contains(u.id())).toList() : List.of();
        ObjectNode layer = manages ? settings.group(state.caller(), groupId) : null;
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("group", group);
        model.addAttribute("manages", manages);
        model.addAttribute("members", members);
        model.addAttribute("addable", addable);
        model.addAttribute("collections", collections.listOwnedBy(state, groupId, 0, KnowledgePages.LISTED).items());
        model.addAttribute("invitations", manages ? invitations.ofGroup(state.caller(), groupId, 0, LISTED).items()
                : List.of());
        model.addAttribute("credentials", manages ? credentials.groupCredentials(state.caller(), groupId) : List.of());
        model.addAttribute("settings", layer == null ? List.of() : SettingField.refilled(SettingField.of(layer,
                GROUP_SETTINGS, key -> "Empty: inherited from the instance"), Forms.submittedSettings(model)));
        model.addAttribute("error", error);
        return "group";
    }
}
