package org.atrium.accounts.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Role;
import org.atrium.accounts.User;
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
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.UUID;

/** User administration. */
@RestController
@RequestMapping("/api/v1/users")
@Tag(name = "Users", description = "Create, list, approve, promote and delete accounts (instance admins).")
class UserController {

    private final AccountService accounts;

    UserController(AccountService accounts) {
        this.accounts = accounts;
    }

    @Schema(description = "Changes to an account.")
    record UpdateUserRequest(
            @Schema(description = "The new role: `user` approves a pending account, `admin` promotes it.",
                    example = "user") @NotNull Role role) {
    }

    @Schema(description = "An account created by an admin.")
    record CreateUserRequest(
            @Schema(example = "grace@example.org") @NotBlank @Email @Size(max = 320) String email,
            @Schema(example = "Grace Hopper") @NotBlank @Size(max = 200) @SafeDisplayName String name,
            @Schema(description = "The initial password; tell the person to keep it secret.",
                    example = "a long initial passphrase", minLength = 8, maxLength = 72)
            @NotBlank @Size(min = 8, max = 72) String password,
            @Schema(description = "The account's role; `user` when omitted.", example = "user", nullable = true)
            @Nullable Role role) {
    }

    @PostMapping
    @Operation(summary = "Create an account",
            description = "Creates an account for someone, with an initial password and a role (`user` by"
                    + " default). This is how people get in when sign-up is disabled. Instance admins only.")
    @ApiResponse(responseCode = "201", description = "The account.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing or invalid.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "409", description = "`email_taken`: an account with this e-mail exists.")
    ResponseEntity<User> create(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                @Valid @RequestBody CreateUserRequest body) {
        User user = accounts.createUser(caller, body.email(), body.name(), body.password(),
                body.role() == null ? Role.USER : body.role());
        return ResponseEntity.status(HttpStatus.CREATED).body(user);
    }

    @GetMapping
    @Operation(summary = "List accounts",
            description = "Lists every account, oldest first, one page at a time. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "One page of accounts.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    Page<User> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                    @Parameter(description = "How many accounts to skip.", example = "0")
                    @RequestParam(defaultValue = "0") @Min(0) int offset,
                    @Parameter(description = "Page size, 1 to 200.", example = "50")
                    @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return accounts.listUsers(caller, offset, limit);
    }

    @GetMapping("/{userId}")
    @Operation(summary = "Read an account",
            description = "Instance admins read any account; other users only their own.")
    @ApiResponse(responseCode = "200", description = "The account.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "404", description = "`user_not_found`: no such account, or not yours to see.")
    User get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
             @Parameter(description = "The account's id.") @PathVariable UUID userId) {
        return accounts.getUser(caller, userId);
    }

    @PatchMapping("/{userId}")
    @Operation(summary = "Change an account's role",
            description = "Approves a pending account (`role: user`), promotes it to instance admin or demotes it."
                    + " The change applies to the account's next request on every replica. The last instance admin"
                    + " cannot be demoted. Instance admins only.")
    @ApiResponse(responseCode = "200", description = "The account after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `role` is missing or unknown.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "404", description = "`user_not_found`: no such account.")
    @ApiResponse(responseCode = "409", description = "`last_admin`: this is the last instance admin.")
    User update(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                @Parameter(description = "The account's id.") @PathVariable UUID userId,
                @Valid @RequestBody UpdateUserRequest body) {
        return accounts.changeRole(caller, userId, body.role());
    }

    @DeleteMapping("/{userId}")
    @Operation(summary = "Delete an account",
            description = "Deletes the account with its sessions, API keys and group memberships; its sessions and"
                    + " keys stop working at once. Deleting an account that does not exist succeeds. The last"
                    + " instance admin cannot be deleted. Instance admins only.")
    @ApiResponse(responseCode = "204", description = "The account is gone.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`admin_required`: the caller is not an instance admin.")
    @ApiResponse(responseCode = "409", description = "`last_admin`: this is the last instance admin.")
    ResponseEntity<Void> delete(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                @Parameter(description = "The account's id.") @PathVariable UUID userId) {
        accounts.deleteUser(caller, userId);
        return ResponseEntity.noContent().build();
    }
}
