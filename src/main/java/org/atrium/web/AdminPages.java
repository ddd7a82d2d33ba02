package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.GroupService;
import org.atrium.accounts.Role;
import org.atrium.models.ConnectionKind;
import org.atrium.models.ConnectionModels;
import org.atrium.models.ConnectionService;
import org.atrium.models.ModelCatalogue;
import org.atrium.platform.AtriumException;
import org.atrium.settings.CredentialService;
import org.atrium.settings.EffectiveState;
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

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The instance admin's page: accounts (approve, promote, demote, delete), groups (create; each opens its own page),
 * provider connections (add, enable, disable, fetch their model lists with status), shared credentials and the
 * instance's settings (what every member inherits unless a group or they set otherwise). Instance
 * admins only: the interface's security chain refuses everyone else, and every service checks again. Changes are
 * plain forms done through the same services as the API; each refusal is drawn on the page with its reason.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class AdminPages {

    /** Accounts listed; paging comes later. */
    static final int LISTED = 500;

    private final AccountService accounts;
    private final GroupService groups;
    private final ConnectionService connections;
    private final ModelCatalogue catalogue;
    private final CredentialService credentials;
    private final SettingsService settings;

    AdminPages(AccountService accounts, GroupService groups, ConnectionService connections, ModelCatalogue catalogue,
               CredentialService credentials, SettingsService settings) {
        this.settings = settings;
        this.accounts = accounts;
        this.groups = groups;
        this.connections = connections;
        this.catalogue = catalogue;
        this.credentials = credentials;
    }

    @GetMapping("/admin")
    String admin(EffectiveState state, CsrfToken csrf, Model model) {
        return view(state, csrf, model, null);
    }

    /** Approves (pending → user), promotes (→ admin) or demotes (→ user) an account. */
    @PostMapping("/admin/users/{userId}/role")
    String changeRole(EffectiveState state, @PathVariable UUID userId, @RequestParam(defaultValue = "") String role,
                      CsrfToken csrf, Model model, HttpServletResponse response) {
        return act(state, csrf, model, response, "The role was not changed: ", () -> {
            Role chosen = switch (role) {
                case "user" -> Role.USER;
                case "admin" -> Role.ADMIN;
                default -> throw AtriumException.invalidField("role", "must be user or admin");
            };
            accounts.changeRole(state.caller(), userId, chosen);
        });
    }

    @PostMapping("/admin/users/{userId}/delete")
    String deleteUser(EffectiveState state, @PathVariable UUID userId, CsrfToken csrf, Model model,
                      HttpServletResponse response) {
        return act(state, csrf, model, response, "The account was not deleted: ",
                () -> accounts.deleteUser(state.caller(), userId));
    }

    @PostMapping("/admin/groups")
    String createGroup(EffectiveState state, @RequestParam(defaultValue = "") String name,
                       @RequestParam(defaultValue = "") String description, CsrfToken csrf, Model model,
                       HttpServletResponse response) {
        try {
            return "redirect:/groups/" + groups.create(state.caller(), name, description).id();
        } catch (AtriumException refused) {
            response.setStatus(refused.status().value());
            return view(state, csrf, model, "The group was not created: " + Forms.refusal(refused));
        }
    }

    /** Registers a connection for the whole instance, enabled at once. */
    @PostMapping("/admin/connections")
    String addConnection(EffectiveState state, @RequestParam(defaultValue = "") String name,
                         @RequestParam(defaultValue = "openai") String kind,
                         @RequestParam(defaultValue = "") String baseUrl, CsrfToken csrf, Model model,
                         HttpServletResponse response) {
        return act(state, csrf, model, response, "The connection was not added: ", () -> {
            ConnectionKind chosen;
            try {
                chosen = ConnectionKind.of(kind);
            } catch (IllegalArgumentException unknown) {
                throw AtriumException.invalidField("kind", "must be openai, ollama, anthropic or gemini");
            }
            connections.create(state, new ConnectionService.NewConnection(name.strip(), chosen, baseUrl.strip(),
                    null, Map.of(), true, null));
        });
    }

    @PostMapping("/admin/connections/{connectionId}/enabled")
    String enableConnection(EffectiveState state, @PathVariable String connectionId,
                            @RequestParam(defaultValue = "true") boolean enabled, CsrfToken csrf, Model model,
                            HttpServletResponse response) {
        return act(state, csrf, model, response, "The connection was not changed: ",
                () -> connections.update(state, connectionId,
                        new ConnectionService.ConnectionChange(null, null, enabled, null)));
    }

    /** Fetches a connection's model list now and shows its status: the admin's test of a connection. */
    @PostMapping("/admin/connections/{connectionId}/test")
    String testConnection(EffectiveState state, @PathVariable String connectionId, CsrfToken csrf, Model model) {
        ConnectionModels tested = catalogue.connectionModels(state, connectionId, true);
        model.addAttribute("tested", tested);
        return view(state, csrf, model, null);
    }

    @PostMapping("/admin/connections/{connectionId}/delete")
    String deleteConnection(EffectiveState state, @PathVariable String connectionId, CsrfToken csrf, Model model,
                            HttpServletResponse response) {
        return act(state, csrf, model, response, "The connection was not deleted: ",
                () -> connections.delete(state.caller(), connectionId));
    }

    /** Stores an instance credential shared with every user. */
    @PostMapping("/admin/credentials")
    String addCredential(EffectiveState state, @RequestParam(defaultValue = "") String connection,
                         @RequestParam(defaultValue = "api_key") String kind,
                         @RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String secret,
                         CsrfToken csrf, Model model, HttpServletResponse response) {
        return act(state, csrf, model, response, "The credential was not stored: ",
                () -> credentials.createInstance(state.caller(), new CredentialService.NewCredential(
                        connection.strip(), kind, name, secret), true, List.of()));
    }

    @PostMapping("/admin/credentials/{credentialId}/delete")
    String deleteCredential(EffectiveState state, @PathVariable UUID credentialId, CsrfToken csrf, Model model,
                            HttpServletResponse response) {
        return act(state, csrf, model, response, "The credential was not deleted: ",
                () -> credentials.deleteInstance(state.caller(), credentialId));
    }

    /** Replaces the instance's layer of settings with the form's: an empty field falls back to the built-in default. */
    @PostMapping("/admin/settings")
    String setSettings(EffectiveState state, @RequestParam Map<String, String> form, CsrfToken csrf, Model model,
                       HttpServletResponse response) {
        model.addAttribute(Forms.SUBMITTED_SETTINGS, form);
        return act(state, csrf, model, response, "The settings were not saved: ",
                () -> settings.replaceInstance(state.caller(), SettingField.layer(form, key -> true)));
    }

    /** Does an admin action; a refusal (a bad field, the last admin, a conflict) is drawn on the page. */
    private String act(EffectiveState state, CsrfToken csrf, Model model, HttpServletResponse response,
                       String failed, Runnable action) {
        try {
            action.run();
            return "redirect:/admin";
        } catch (AtriumException refused) {
            if (refused.status() == HttpStatus.FORBIDDEN && "admin_required".equals(refused.code())) {
                throw refused;
            }
            response.setStatus(refused.status().value());
            return view(state, csrf, model, failed + Forms.refusal(refused));
        }
    }

    private String view(EffectiveState state, CsrfToken csrf, Model model, @Nullable String error) {
        state.caller().requireAdmin();
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("users", accounts.listUsers(state.caller(), 0, LISTED).items());
        model.addAttribute("groups", groups.list(state.caller(), 0, LISTED).items());
        model.addAttribute("connections", connections.list(state));
        model.addAttribute("credentials", credentials.instanceCredentials(state.caller()));
        model.addAttribute("settings", SettingField.refilled(SettingField.of(settings.instance(state.caller()),
                key -> true, key -> "Empty: the built-in default, " + SettingsViews.builtInDefault(key)),
                Forms.submittedSettings(model)));
        model.addAttribute("self", state.caller().userId());
        if (!model.containsAttribute("tested")) {
            model.addAttribute("tested", null);
        }
        model.addAttribute("error", error);
        return "admin";
    }
}
