package org.atrium.accounts.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.atrium.accounts.ApiKey;
import org.atrium.accounts.ApiKeyService;
import org.atrium.accounts.Caller;
import org.atrium.accounts.NewApiKey;
import org.atrium.platform.SafeDisplayName;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The caller's personal API keys. */
@RestController
@RequestMapping("/api/v1/api-keys")
@Tag(name = "API keys", description = "Personal API keys for scripts: create (shown once), list (masked), revoke.")
class ApiKeyController {

    private final ApiKeyService apiKeys;

    ApiKeyController(ApiKeyService apiKeys) {
        this.apiKeys = apiKeys;
    }

    @Schema(description = "A new API key.")
    record CreateApiKeyRequest(
            @Schema(description = "What the key is for.", example = "nightly export")
            @NotBlank @Size(max = 200) @SafeDisplayName String name,
            @Schema(description = "When the key stops working; omit for a key that does not expire.",
                    example = "2027-01-01T00:00:00Z", nullable = true) @Nullable Instant expiresAt) {
    }

    @Schema(description = "The caller's API keys.")
    record ApiKeyList(List<ApiKey> items) {
    }

    @GetMapping
    @Operation(summary = "List my API keys",
            description = "Lists the caller's keys, oldest first, masked: the full key is never shown again.")
    @ApiResponse(responseCode = "200", description = "The keys.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`account_pending`: the account is not approved yet.")
    ApiKeyList list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return new ApiKeyList(apiKeys.list(caller));
    }

    @PostMapping
    @Operation(summary = "Create an API key",
            description = "Creates a key for the caller; needs `permissions.createApiKeys`. The response carries"
                    + " the full key, the only time it is shown; Atrium stores only a digest. Send it as"
                    + " `Authorization: Bearer <key>` or as `x-api-key: <key>`.")
    @ApiResponse(responseCode = "201", description = "The key, in full for this one time.")
    @ApiResponse(responseCode = "400",
            description = "`validation_failed`: `name` is missing or not a plain name, or `expiresAt` is not in the"
                    + " future or more than ten years ahead.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: the caller's groups withhold"
            + " `permissions.createApiKeys`; or `account_pending`: the account is not approved yet.")
    ResponseEntity<NewApiKey> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                     @Valid @RequestBody CreateApiKeyRequest body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(apiKeys.create(caller, body.name(), body.expiresAt()));
    }

    @DeleteMapping("/{apiKeyId}")
    @Operation(summary = "Revoke an API key",
            description = "Revokes a key: from the next request on, on every replica, it is rejected. The owner or"
                    + " an instance admin may revoke it.")
    @ApiResponse(responseCode = "204", description = "The key is revoked.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`account_pending`: the account is not approved yet.")
    @ApiResponse(responseCode = "404", description = "`api_key_not_found`: no such key, or not yours.")
    ResponseEntity<Void> revoke(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                @Parameter(description = "The key's id (not the key).") @PathVariable UUID apiKeyId) {
        apiKeys.revoke(caller, apiKeyId);
        return ResponseEntity.noContent().build();
    }
}
