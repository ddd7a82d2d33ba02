package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.ApiKeyService;
import org.atrium.accounts.GroupInvitationService;
import org.atrium.accounts.NewApiKey;
import org.atrium.accounts.Permission;
import org.atrium.platform.AtriumException;
import org.atrium.platform.Page;
import org.atrium.settings.CredentialService;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.SettingKey;
import org.atrium.settings.SettingsService;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A member's settings page: who they are and their groups, and the invitations to groups waiting for their answer; their personal API keys (a new key shown once, on the
 * page that created it, never again); their own provider keys; and their effective state, every setting with where
 * its value comes from ("group Research", "instance default", "you"). Changes are plain forms posted here and done
 * through the same services as the API ({@link ApiKeyService}, {@link CredentialService}), with their permissions
 * and bounds.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class SettingsPages {

    /** The settings a member may set for themselves (when their groups let them override settings). */
    static final Predicate<SettingKey> OVERRIDABLE = SettingKey::userOverridable;

    private final ApiKeyService apiKeys;
    private final CredentialService credentials;
    private final AccountService accounts;
    private final SettingsService settings;
    private final GroupInvitationService invitations;

    SettingsPages(ApiKeyService apiKeys, CredentialService credentials, AccountService accounts,
                  SettingsService settings, GroupInvitationService invitations) {
        this.invitations = invitations;
        this.apiKeys = apiKeys;
        this.credentials = credentials;
        this.accounts = accounts;
        this.settings = settings;
    }

    @GetMapping("/settings")
    String settings(EffectiveState state, CsrfToken csrf, Model model) {
        return view(state, csrf, model);
    }

    /**
     * Creates an API key and shows it, this once, on the page the form's answer draws; the page is never stored by
     * the browser or a proxy. {@code expires} is a day (the key stops working at its start, UTC), or empty.
     */
    @PostMapping("/settings/api-keys")
    String createApiKey(EffectiveState state, @RequestParam(defaultValue = "") String name,
                        @RequestParam(defaultValue = "") String expires, CsrfToken csrf, Model model,
                        HttpServletResponse response) {
        try {
            NewApiKey created = apiKeys.create(state.caller(), name, expires.isBlank() ? null
                    : day(expires).atStartOfDay().toInstant(ZoneOffset.UTC));
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            model.addAttribute("created", created);
        } catch (AtriumException refused) {
            refuse(model, response, "apiKeyError", "The API key was not created: ", refused);
        }
        return view(state, csrf, model);
    }

    @PostMapping("/settings/api-keys/{apiKeyId}/revoke")
    String revokeApiKey(EffectiveState state, @PathVariable UUID apiKeyId) {
        try {
            apiKeys.revoke(state.caller(), apiKeyId);
        } catch (AtriumException gone) {
            if (gone.status() != HttpStatus.NOT_FOUND) {
                throw gone;
            }
        }
        return "redirect:/settings";
    }

    /** Stores one of the caller's own provider keys; the secret is never drawn back into the page. */
    @PostMapping("/settings/provider-keys")
    String addProviderKey(EffectiveState state, @RequestParam(defaultValue = "") String connection,
                          @RequestParam(defaultValue = "api_key") String kind,
                          @RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String secret,
                          CsrfToken csrf, Model model, HttpServletResponse response) {
        try {
            credentials.createUser(state.caller(), new CredentialService.NewCredential(connection.strip(), kind,
                    name, secret));
            return "redirect:/settings";
        } catch (AtriumException refused) {
            refuse(model, response, "providerKeyError", "The provider key was not stored: ", refused);
            return view(state, csrf, model);
        }
    }

    @PostMapping("/settings/provider-keys/{credentialId}/delete")
    String deleteProviderKey(EffectiveState state, @PathVariable UUID credentialId) {
        try {
            credentials.deleteUser(state.caller(), credentialId);
        } catch (AtriumException gone) {
            if (gone.status() != HttpStatus.NOT_FOUND) {
                throw gone;
            }
        }
        return "redirect:/settings";
    }

    /** Changes the caller's name; a refused one stays in the field, with the reason above it. */
    @PostMapping("/settings/profile")
    String rename(EffectiveState state, @RequestParam(defaultValue = "") String name, CsrfToken csrf, Model model,
                  HttpServletResponse response) {
        try {
            accounts.rename(state.caller(), name);
            return "redirect:/settings";
        } catch (AtriumException refused) {
            refuse(model, response, "profileError", "The name was not changed: ", refused);
            model.addAttribute("profileName", name);
            return view(state, csrf, model);
        }
    }

    /**
     * Changes the password after checking the current one; every other session of the account is signed out. The
     * new password is typed twice, and the two must match.
     */
    @PostMapping("/settings/password")
    String changePassword(EffectiveState state, @RequestParam(defaultValue = "") String currentPassword,
                          @RequestParam(defaultValue = "") String newPassword,
                          @RequestParam(defaultValue = "") String repeatedPassword, CsrfToken csrf, Model model,
                          HttpServletRequest request, HttpServletResponse response) {
        try {
            if (!newPassword.equals(repeatedPassword)) {
                throw AtriumException.invalidField("repeatedPassword", "does not match the new password");
            }
            int ended = accounts.changePassword(state.caller(), currentPassword, newPassword,
                    request.getRemoteAddr());
            model.addAttribute("passwordChanged", ended == 0 ? "Your password was changed."
                    : "Your password was changed, and " + (ended == 1 ? "1 other session was" : ended
                    + " other sessions were") + " signed out.");
        } catch (AtriumException refused) {
            refuse(model, response, "passwordError", "The password was not changed: ", refused);
        }
        return view(state, csrf, model);
    }

    /** Replaces the caller's own overrides with the form's: an empty field inherits again. */
    @PostMapping("/settings/overrides")
    String setOverrides(EffectiveState state, @RequestParam Map<String, String> form, CsrfToken csrf, Model model,
                        HttpServletResponse response) {
        try {
            settings.replaceUser(state.caller(), SettingField.layer(form, OVERRIDABLE));
            return "redirect:/settings#overrides-heading";
        } catch (AtriumException refused) {
            model.addAttribute(Forms.SUBMITTED_SETTINGS, form);
            refuse(model, response, "overridesError", "Your settings were not saved: ", refused);
            return view(state, csrf, model);
        }
    }

    /** Accepts an invitation to a group: the member's next request has the group's settings and keys. */
    @PostMapping("/settings/invitations/{invitationId}/accept")
    String acceptInvitation(EffectiveState state, @PathVariable UUID invitationId, CsrfToken csrf, Model model,
                            HttpServletResponse response) {
        return answer(state, csrf, model, response, "The invitation was not accepted: ",
                () -> invitations.accept(state.caller(), invitationId));
    }

    @PostMapping("/settings/invitations/{invitationId}/decline")
    String declineInvitation(EffectiveState state, @PathVariable UUID invitationId, CsrfToken csrf, Model model,
                             HttpServletResponse response) {
        return answer(state, csrf, model, response, "The invitation was not declined: ",
                () -> invitations.decline(state.caller(), invitationId));
    }

    /** Answers an invitation; the page then lists the caller's groups, the new one among them once accepted. */
    private String answer(EffectiveState state, CsrfToken csrf, Model model, HttpServletResponse response,
                          String failed, Runnable answer) {
        try {
            answer.run();
            return "redirect:/settings";
        } catch (AtriumException refused) {
            refuse(model, response, "invitationError", failed, refused);
            return view(state, csrf, model);
        }
    }

    private static void refuse(Model model, HttpServletResponse response, String section, String failed,
                               AtriumException refused) {
        response.setStatus(refused.status().value());
        refused.headers().forEach(response::setHeader); // Retry-After, when throttled
        model.addAttribute(section, failed + Forms.refusal(refused));
    }

    private static LocalDate day(String value) {
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException notADay) {
            throw AtriumException.invalidField("expires", "must be a day such as 2027-01-31");
        }
    }

    /** Draws the page; a form's answer has put its outcome in the model first (a new key, a refusal). */
    private String view(EffectiveState state, CsrfToken csrf, Model model) {
        for (String outcome : List.of("created", "apiKeyError", "providerKeyError", "profileError", "profileName",
                "passwordError",
                "passwordChanged", "overridesError", "invitationError")) {
            if (!model.containsAttribute(outcome)) {
                model.addAttribute(outcome, null);
            }
        }
        boolean mayOverride = state.caller().holds(Permission.OVERRIDE_SETTINGS);
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("state", state);
        model.addAttribute("apiKeys", apiKeys.list(state.caller()));
        model.addAttribute("providerKeys", credentials.userCredentials(state.caller()));
        model.addAttribute("mayCreateApiKeys", state.caller().holds(Permission.CREATE_API_KEYS));
        model.addAttribute("mayOverride", mayOverride);
        model.addAttribute("invitations", invitations.mine(state.caller(), 0, Page.MAX_LIMIT).items());
        model.addAttribute("overrides", mayOverride ? SettingField.refilled(SettingField.of(
                settings.user(state.caller()), OVERRIDABLE, key -> "Empty: what your groups or the instance set"),
                Forms.submittedSettings(model)) : List.of());
        return "settings";
    }
}
