package org.atrium.settings.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.atrium.accounts.Caller;
import org.atrium.cache.DerivedObjects;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveStateResolver;
import org.atrium.settings.SettingsService;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.UUID;

/** The settings layers and the effective state they produce. */
@RestController
@Tag(name = "Settings", description = "Instance defaults, group settings, user overrides, and effective state with"
        + " the source of every value.")
class SettingsController {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final SettingsService settings;
    private final EffectiveStateResolver resolver;
    private final DerivedObjects derived;
    private final JsonMapper json;

    SettingsController(SettingsService settings, EffectiveStateResolver resolver, DerivedObjects derived,
                       JsonMapper json) {
        this.settings = settings;
        this.resolver = resolver;
        this.derived = derived;
        this.json = json;
    }

    @Schema(description = "One settings layer: setting keys to values. Keys absent (or null) are not set here.")
    record Layer(
            @Schema(description = "Setting key to value, for example `defaultModel`, `features.autocompletion`,"
                    + " `permissions.createApiKeys`, `allowedModels` (see docs/settings.md).",
                    example = "{\"defaultModel\": \"gpt-4o\", \"features.autocompletion\": true}")
            @NotNull Map<String, Object> settings) {

        static Layer of(JsonMapper json, ObjectNode layer) {
            return new Layer(json.convertValue(layer, MAP));
        }
    }

    @Schema(description = "A group's settings layer and its priority.")
    record GroupLayer(
            @Schema(description = "Setting key to value.",
                    example = "{\"systemPrompt\": \"You help the research department.\"}")
            @NotNull Map<String, Object> settings,
            @Schema(description = "Higher wins when a member's groups set the same value; only instance admins"
                    + " may change it. Omit to keep it.", example = "10", nullable = true)
            @Nullable Integer priority) {
    }

    @GetMapping("/api/v1/settings/instance")
    @Operation(summary = "Read the instance defaults",
            description = "The instance layer: what every user inherits unless a group or their own override says"
                    + " otherwise. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "The layer.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    Layer instance(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return Layer.of(json, settings.instance(caller));
    }

    @PutMapping("/api/v1/settings/instance")
    @Operation(summary = "Replace the instance defaults",
            description = "Replaces the instance layer. Unknown keys and wrongly typed values are refused, naming"
                    + " the key. The new values apply to every user's next request on every replica. Instance"
                    + " admins only.")
    @ApiResponse(responseCode = "200", description = "The stored layer.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: an unknown key or a wrongly typed value.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    Layer replaceInstance(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                          @Valid @RequestBody Layer body) {
        return Layer.of(json, settings.replaceInstance(caller, json.valueToTree(body.settings())));
    }

    @GetMapping("/api/v1/groups/{groupId}/settings")
    @Operation(summary = "Read a group's settings",
            description = "The group's layer: what its members inherit. Instance admins and the group's admins.")
    @ApiResponse(responseCode = "200", description = "The layer.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    Layer group(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                @Parameter(description = "The group's id.") @PathVariable UUID groupId) {
        return Layer.of(json, settings.group(caller, groupId));
    }

    @PutMapping("/api/v1/groups/{groupId}/settings")
    @Operation(summary = "Replace a group's settings",
            description = "Replaces the group's layer (and, for instance admins, its priority). Applies to every"
                    + " member's next request on every replica. Instance admins and the group's admins.")
    @ApiResponse(responseCode = "200", description = "The stored layer.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: an unknown key or a wrongly typed value.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member of the group; or"
            + " `admin_required`: a group admin tried to change the priority.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    Layer replaceGroup(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                       @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                       @Valid @RequestBody GroupLayer body) {
        ObjectNode layer = json.valueToTree(body.settings());
        return Layer.of(json, settings.replaceGroup(caller, groupId, layer, body.priority()));
    }

    @GetMapping("/api/v1/me/settings")
    @Operation(summary = "Read my overrides", description = "The caller's own settings layer.")
    @ApiResponse(responseCode = "200", description = "The layer.")
    Layer mine(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return Layer.of(json, settings.user(caller));
    }

    @PutMapping("/api/v1/me/settings")
    @Operation(summary = "Replace my overrides",
            description = "Replaces the caller's own layer. Only keys users may override are accepted (default"
                    + " model, system prompt, feature toggles), and only when the caller's groups grant"
                    + " `permissions.overrideSettings`.")
    @ApiResponse(responseCode = "200", description = "The stored layer.")
    @ApiResponse(responseCode = "400",
            description = "`validation_failed`: an unknown key, a key users cannot override, or a wrong type.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: overriding is not granted.")
    Layer replaceMine(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                      @Valid @RequestBody Layer body) {
        return Layer.of(json, settings.replaceUser(caller, json.valueToTree(body.settings())));
    }

    @GetMapping("/api/v1/me/effective-state")
    @Operation(summary = "Read my effective state",
            description = "Who the caller is, their groups, every setting with its effective value and its source"
                    + " (`instance`, `group:<id>` or `user`), their permissions, and the credential used per"
                    + " provider connection (masked). Always current: it is the state this request was authorised"
                    + " with.")
    @ApiResponse(responseCode = "200", description = "The effective state.")
    EffectiveStateView myState(EffectiveState state) {
        return derived.get("effective-state-view", state.caller().credentialId().toString(), state.stamp(),
                () -> EffectiveStateView.of(state));
    }

    @GetMapping("/api/v1/users/{userId}/effective-state")
    @Operation(summary = "Read someone's effective state",
            description = "The same view as `GET /api/v1/me/effective-state`, for any account, computed from"
                    + " current data. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "The effective state.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "404", description = "`user_not_found`: no such account.")
    EffectiveStateView userState(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                 @Parameter(description = "The account's id.") @PathVariable UUID userId) {
        return EffectiveStateView.of(resolver.forUser(caller, userId));
    }
}
