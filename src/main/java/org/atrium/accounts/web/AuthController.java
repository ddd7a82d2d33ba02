package org.atrium.accounts.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.Caller;
import org.atrium.accounts.SessionCookies;
import org.atrium.accounts.SessionProperties;
import org.atrium.accounts.SignedIn;
import org.atrium.accounts.User;
import org.atrium.platform.SafeDisplayName;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Sign-up, sign-in, sign-out and the current account. */
@RestController
@RequestMapping("/api/v1/auth")
@Tag(name = "Authentication", description = "Create an account, sign in and out, read the signed-in account.")
class AuthController {

    private final AccountService accounts;
    private final SessionProperties sessions;

    AuthController(AccountService accounts, SessionProperties sessions) {
        this.accounts = accounts;
        this.sessions = sessions;
    }

    @Schema(description = "A new account.")
    record SignUpRequest(
            @Schema(example = "ada@example.org") @NotBlank @Email @Size(max = 320) String email,
            @Schema(example = "Ada Lovelace") @NotBlank @Size(max = 200) @SafeDisplayName String name,
            @Schema(example = "correct horse battery staple", minLength = 8, maxLength = 72)
            @NotBlank @Size(min = 8, max = 72) String password) {
    }

    @Schema(description = "E-mail address and password.")
    record SignInRequest(
            @Schema(example = "ada@example.org") @NotBlank @Size(max = 320) String email,
            @Schema(example = "correct horse battery staple") @NotBlank @Size(max = 1024) String password) {
    }

    @Schema(description = "The current password and the new one.")
    record PasswordChange(
            @Schema(example = "correct horse battery staple") @NotBlank @Size(max = 1024) String currentPassword,
            @Schema(example = "a longer horse, a better staple", minLength = 8, maxLength = 72)
            @NotBlank @Size(min = 8, max = 72) String newPassword) {
    }

    @Schema(description = "The password was changed.")
    record PasswordChanged(@Schema(description = "Other sessions of the account that were signed out.",
            example = "2") int sessionsEnded) {
    }

    @PostMapping("/signup")
    @Operation(summary = "Create an account",
            description = "Creates an account and signs it in. The first account of an instance becomes its admin;"
                    + " later accounts get the role set by `atrium.signup.default-role` (`pending` by default, which"
                    + " means an admin must approve them before they can do anything but read their account)."
                    + " The session token is returned in the body and as the `atrium_session` cookie.")
    @ApiResponse(responseCode = "201", description = "The account was created and signed in.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing or invalid.")
    @ApiResponse(responseCode = "403", description = "`signup_disabled`: sign-up is closed on this instance.")
    @ApiResponse(responseCode = "409", description = "`email_taken`: an account with this e-mail exists.")
    ResponseEntity<SignedIn> signUp(@Valid @RequestBody SignUpRequest body, HttpServletRequest request) {
        SignedIn signedIn = accounts.signUp(body.email(), body.name(), body.password());
        return withCookie(ResponseEntity.status(HttpStatus.CREATED), signedIn, request);
    }

    @PostMapping("/signin")
    @Operation(summary = "Sign in",
            description = "Checks the e-mail address and password and opens a session. The token is returned in"
                    + " the body (send it as `Authorization: Bearer <token>`) and as the `atrium_session` cookie."
                    + " Pending accounts can sign in; they may only read their account and sign out.")
    @ApiResponse(responseCode = "200", description = "Signed in.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: a field is missing.")
    @ApiResponse(responseCode = "401", description = "`invalid_credentials`: the e-mail or the password is wrong.")
    @ApiResponse(responseCode = "429", description = "`too_many_attempts`: too many attempts on this e-mail address"
            + " from this client address (or from everywhere, for a client address that never signed in to it), or"
            + " from this client address; `Retry-After` gives the seconds to wait. While it lasts even the right"
            + " password is refused.", headers = @Header(name = HttpHeaders.RETRY_AFTER,
            description = "seconds to wait", schema = @Schema(type = "integer")))
    ResponseEntity<SignedIn> signIn(@Valid @RequestBody SignInRequest body, HttpServletRequest request) {
        // The servlet remote address: the client's, or, behind a proxy trusted by server.forward-headers-strategy,
        // the address that proxy forwarded (see README, Operating).
        SignedIn signedIn = accounts.signIn(body.email(), body.password(), request.getRemoteAddr());
        return withCookie(ResponseEntity.ok(), signedIn, request);
    }

    @PostMapping("/signout")
    @Operation(summary = "Sign out",
            description = "Ends the current session on every replica and clears the cookie. With an API key it"
                    + " does nothing: revoke the key instead.")
    @ApiResponse(responseCode = "204", description = "Signed out.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    ResponseEntity<Void> signOut(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                 HttpServletRequest request) {
        accounts.signOut(caller);
        return ResponseEntity.noContent()
                .header(HttpHeaders.SET_COOKIE, SessionCookies.expired(cookieSecure(request)).toString())
                .build();
    }

    @PostMapping("/password")
    @Operation(summary = "Change your password",
            description = "Checks the current password, stores the new one and signs out every other session of"
                    + " the account on every replica; the session that asks stays signed in. Personal API keys"
                    + " stay valid (revoke them separately). Wrong current passwords are throttled like sign-in"
                    + " attempts.")
    @ApiResponse(responseCode = "200", description = "Changed.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: the current password is wrong"
            + " (`currentPassword`), or the new one is shorter than 8 characters or longer than 72 bytes"
            + " (`newPassword`).")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "429", description = "`too_many_attempts`: too many wrong passwords; `Retry-After`"
            + " gives the seconds to wait.", headers = @Header(name = HttpHeaders.RETRY_AFTER,
            description = "seconds to wait", schema = @Schema(type = "integer")))
    PasswordChanged changePassword(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                   @Valid @RequestBody PasswordChange body, HttpServletRequest request) {
        return new PasswordChanged(accounts.changePassword(caller, body.currentPassword(), body.newPassword(),
                request.getRemoteAddr()));
    }

    @Schema(description = "The caller's new profile.")
    record ProfileChange(
            @Schema(description = "The name other people see.", example = "Ada King") @NotBlank
            @Size(max = AccountService.MAX_NAME_LENGTH) @SafeDisplayName String name) {
    }

    @PatchMapping("/me")
    @Operation(summary = "Change your name",
            description = "Changes the signed-in account's name, the one members of its groups and admins see. It"
                    + " shows on the account's next request on every replica.")
    @ApiResponse(responseCode = "200", description = "The account after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `name` is blank, longer than 200"
            + " characters, or has control or bidirectional override characters.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    @ApiResponse(responseCode = "403", description = "`account_pending`: the account awaits approval.")
    User rename(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                @Valid @RequestBody ProfileChange body) {
        return accounts.rename(caller, body.name());
    }

    @GetMapping("/me")
    @Operation(summary = "Read the signed-in account",
            description = "Returns the account behind the session or API key, with its current role. Works for"
                    + " pending accounts too, so a client can tell them they are waiting for approval.")
    @ApiResponse(responseCode = "200", description = "The account.")
    @ApiResponse(responseCode = "401", description = "`unauthenticated`: no valid session or key was sent.")
    User me(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return accounts.getUser(caller, caller.userId());
    }

    private ResponseEntity<SignedIn> withCookie(ResponseEntity.BodyBuilder builder, SignedIn signedIn,
                                                HttpServletRequest request) {
        return builder.header(HttpHeaders.SET_COOKIE,
                        SessionCookies.of(signedIn.token(), signedIn.expiresAt(), cookieSecure(request)).toString())
                .body(signedIn);
    }

    private boolean cookieSecure(HttpServletRequest request) {
        return sessions.cookieSecure() || request.isSecure();
    }
}
