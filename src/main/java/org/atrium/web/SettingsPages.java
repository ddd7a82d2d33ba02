package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.ApiKeyService;
import org.atrium.accounts.NewApiKey;
import org.atrium.accounts.Permission;
import org.atrium.platform.AtriumException;
import org.atrium.settings.CredentialService;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
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
import java.util.UUID;

/**
 * A member's settings page: who they are and their groups; their personal API keys (a new key shown once, on the
 * page that created it, never again); their own provider keys; and their effective state, every setting with where
 * its value comes from ("group Research", "instance default", "you"). Changes are plain forms posted here and done
 * through the same services as the API ({@link ApiKeyService}, {@link CredentialService}), with their permissions
 * and bounds.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class SettingsPages {

    private final ApiKeyService apiKeys;
    private final CredentialService credentials;

    SettingsPages(ApiKeyService apiKeys, CredentialService credentials) {
        this.apiKeys = apiKeys;
        this.credentials = credentials;
    }

    @GetMapping("/settings")
    String settings(EffectiveState state, CsrfToken csrf, Model model) {
        return view(state, csrf, model, null, null, null);
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
            return view(state, csrf, model, created, null, null);
        } catch (AtriumException refused) {
            response.setStatus(refused.status().value());
            return view(state, csrf, model, null, "The API key was not created: " + Forms.refusal(refused), null);
        }
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
            response.setStatus(refused.status().value());
            return view(state, csrf, model, null, null, "The provider key was not stored: " + Forms.refusal(refused));
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

    private static LocalDate day(String value) {
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException notADay) {
            throw AtriumException.invalidField("expires", "must be a day such as 2027-01-31");
        }
    }

    private String view(EffectiveState state, CsrfToken csrf, Model model, @Nullable NewApiKey created,
                        @Nullable String apiKeyError, @Nullable String providerKeyError) {
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("state", state);
        model.addAttribute("apiKeys", apiKeys.list(state.caller()));
        model.addAttribute("providerKeys", credentials.userCredentials(state.caller()));
        model.addAttribute("mayCreateApiKeys", state.caller().holds(Permission.CREATE_API_KEYS));
        model.addAttribute("mayAddProviderKeys", state.caller().holds(Permission.OVERRIDE_SETTINGS));
        model.addAttribute("created", created);
        model.addAttribute("apiKeyError", apiKeyError);
        model.addAttribute("providerKeyError", providerKeyError);
        return "settings";
    }
}
