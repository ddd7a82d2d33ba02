package org.atrium.settings.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.atrium.accounts.Caller;
import org.atrium.settings.Credential;
import org.atrium.settings.CredentialService;
import org.atrium.platform.SafeDisplayName;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/** Provider credentials at instance, group and user level. Secrets go in once and never come back out. */
@RestController
@Tag(name = "Credentials", description = "Provider API keys and AI-gateway virtual keys: stored encrypted, shown"
        + " masked, inherited like settings.")
class CredentialController {

    private final CredentialService credentials;

    CredentialController(CredentialService credentials) {
        this.credentials = credentials;
    }

    @Schema(description = "A credential to store.")
    record CreateCredentialRequest(
            @Schema(description = "The provider connection it authenticates to.", example = "openai")
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,63}",
                    message = "must be lower-case letters, digits and dashes, at most 64") String connection,
            @Schema(description = "`api_key` or `virtual_key`.", example = "virtual_key")
            @NotBlank @Pattern(regexp = "api_key|virtual_key", message = "must be api_key or virtual_key")
            String kind,
            @Schema(example = "Research gateway key") @NotBlank @Size(max = 200) @SafeDisplayName String name,
            @Schema(description = "The secret; stored encrypted, never returned.", example = "sk-live-0123456789abcd")
            @NotBlank @Size(min = 4, max = 4096) String secret,
            @Schema(description = "Instance credentials only: share with every user.", example = "false",
                    nullable = true) @Nullable Boolean sharedWithAll,
            @ArraySchema(arraySchema = @Schema(description = "Instance credentials only: groups whose members use"
                    + " it.", nullable = true), schema = @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f"))
            @Nullable @Size(max = 1000) List<UUID> sharedWithGroups) {

        CredentialService.NewCredential toNew() {
            return new CredentialService.NewCredential(connection, kind, name, secret);
        }
    }

    @Schema(description = "Who an instance credential is shared with.")
    record SharesRequest(
            @Schema(description = "Share with every user.", example = "false") boolean sharedWithAll,
            @ArraySchema(arraySchema = @Schema(description = "Groups whose members use it."),
                    schema = @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f")) @NotNull @Size(max = 1000) List<UUID> sharedWithGroups) {
    }

    @Schema(description = "Credentials, masked.")
    record CredentialList(List<Credential> items) {
    }

    @GetMapping("/api/v1/settings/instance/credentials")
    @Operation(summary = "List instance credentials", description = "Masked. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "The credentials.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    CredentialList instance(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return new CredentialList(credentials.instanceCredentials(caller));
    }

    @PostMapping("/api/v1/settings/instance/credentials")
    @Operation(summary = "Store an instance credential",
            description = "Stores a credential owned by the instance. It reaches users only where it is shared:"
                    + " with everyone (`sharedWithAll`) or with chosen groups. Instance admins only.")
    @ApiResponse(responseCode = "201", description = "The credential, masked.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing or invalid.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: a group to share with does not exist.")
    ResponseEntity<Credential> createInstance(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                              @Valid @RequestBody CreateCredentialRequest body) {
        Credential created = credentials.createInstance(caller, body.toNew(),
                Boolean.TRUE.equals(body.sharedWithAll()),
                body.sharedWithGroups() == null ? List.of() : body.sharedWithGroups());
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @PutMapping("/api/v1/settings/instance/credentials/{credentialId}/shares")
    @Operation(summary = "Share an instance credential",
            description = "Replaces who an instance credential is shared with. Applies to the next request of"
                    + " every affected user on every replica. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "The credential after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing or invalid.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "404", description = "`credential_not_found`: no such instance credential; or"
            + " `group_not_found`: a group does not exist.")
    Credential share(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                     @Parameter(description = "The credential's id.") @PathVariable UUID credentialId,
                     @Valid @RequestBody SharesRequest body) {
        return credentials.share(caller, credentialId, body.sharedWithAll(), body.sharedWithGroups());
    }

    @DeleteMapping("/api/v1/settings/instance/credentials/{credentialId}")
    @Operation(summary = "Delete an instance credential",
            description = "Deletes it; no request uses it from the next one on. Instance admins only.")
    @ApiResponse(responseCode = "204", description = "It is gone.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "404", description = "`credential_not_found`: not an instance credential.")
    ResponseEntity<Void> deleteInstance(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                        @Parameter(description = "The credential's id.") @PathVariable UUID credentialId) {
        credentials.deleteInstance(caller, credentialId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/v1/groups/{groupId}/credentials")
    @Operation(summary = "List a group's credentials",
            description = "Masked. Instance admins and the group's admins.")
    @ApiResponse(responseCode = "200", description = "The credentials.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    CredentialList group(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                         @Parameter(description = "The group's id.") @PathVariable UUID groupId) {
        return new CredentialList(credentials.groupCredentials(caller, groupId));
    }

    @PostMapping("/api/v1/groups/{groupId}/credentials")
    @Operation(summary = "Store a group credential",
            description = "Stores the credential the group's members use for one connection (one per"
                    + " connection). Instance admins and the group's admins.")
    @ApiResponse(responseCode = "201", description = "The credential, masked.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing or invalid.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see.")
    @ApiResponse(responseCode = "409", description = "`credential_exists`: the group has one for this connection.")
    ResponseEntity<Credential> createGroup(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                           @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                                           @Valid @RequestBody CreateCredentialRequest body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(credentials.createGroup(caller, groupId, body.toNew()));
    }

    @DeleteMapping("/api/v1/groups/{groupId}/credentials/{credentialId}")
    @Operation(summary = "Delete a group credential",
            description = "Deletes it; no member's request uses it from the next one on. Instance admins and the"
                    + " group's admins.")
    @ApiResponse(responseCode = "204", description = "It is gone.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours to see; or"
            + " `credential_not_found`: not this group's credential.")
    ResponseEntity<Void> deleteGroup(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                     @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                                     @Parameter(description = "The credential's id.") @PathVariable UUID credentialId) {
        credentials.deleteGroup(caller, groupId, credentialId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/v1/me/credentials")
    @Operation(summary = "List my credentials", description = "The caller's own credentials, masked.")
    @ApiResponse(responseCode = "200", description = "The credentials.")
    CredentialList mine(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return new CredentialList(credentials.userCredentials(caller));
    }

    @PostMapping("/api/v1/me/credentials")
    @Operation(summary = "Store my own credential",
            description = "Stores a credential of the caller's that wins over their groups' for one connection."
                    + " Needs `permissions.overrideSettings`.")
    @ApiResponse(responseCode = "201", description = "The credential, masked.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing or invalid.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: overriding is not granted.")
    @ApiResponse(responseCode = "409", description = "`credential_exists`: you have one for this connection.")
    ResponseEntity<Credential> createMine(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                          @Valid @RequestBody CreateCredentialRequest body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(credentials.createUser(caller, body.toNew()));
    }

    @DeleteMapping("/api/v1/me/credentials/{credentialId}")
    @Operation(summary = "Delete my credential", description = "Deletes one of the caller's own credentials.")
    @ApiResponse(responseCode = "204", description = "It is gone.")
    @ApiResponse(responseCode = "404", description = "`credential_not_found`: not one of yours.")
    ResponseEntity<Void> deleteMine(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                    @Parameter(description = "The credential's id.") @PathVariable UUID credentialId) {
        credentials.deleteUser(caller, credentialId);
        return ResponseEntity.noContent().build();
    }
}
