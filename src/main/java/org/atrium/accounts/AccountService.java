package org.atrium.accounts;

import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Page;
import org.atrium.platform.TransactionRetry;
import org.atrium.platform.UntrustedText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Accounts and sessions: sign-up, sign-in, sign-out, the lookups effective state is resolved from, and user
 * administration.
 *
 * <p>Nothing about a user's rights is ever taken from a token: the token only names a session or key, and
 * every write that changes what a user may do raises the user's cache scope in the same transaction.
 */
@Service
public class AccountService {

    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    /** bcrypt ignores everything after 72 bytes, so longer passwords are refused rather than silently truncated. */
    private static final int MAX_PASSWORD_BYTES = 72;
    /** The longest name, as sign-up takes it. */
    public static final int MAX_NAME_LENGTH = 200;
    /** Shortest password, in characters (as the API's and the forms' bounds count them). */
    private static final int MIN_PASSWORD_LENGTH = 8;
    /** No session's id: every session ends when the password is changed with an API key. */
    private static final UUID NO_SESSION = new UUID(0, 0);

    private final UserStore users;
    private final CredentialStore credentials;
    private final GroupStore groups;
    private final Invalidation invalidation;
    private final SignupProperties signup;
    private final SessionProperties sessions;
    private final PasswordEncoder passwords;
    /** Compared against when the e-mail is unknown, so that sign-in takes as long whether or not the account exists. */
    private final String dummyHash;
    private final Clock clock;
    private final TransactionRetry retry;
    private final ApplicationEventPublisher events;
    private final SignInThrottle throttle;

    AccountService(UserStore users, CredentialStore credentials, GroupStore groups, Invalidation invalidation,
                   SignupProperties signup, SessionProperties sessions, Clock clock, TransactionRetry retry,
                   ApplicationEventPublisher events, SignInThrottle throttle, PasswordProperties passwordProperties) {
        this.passwords = new BCryptPasswordEncoder(passwordProperties.hashCost());
        this.dummyHash = passwords.encode("atrium-dummy-password");
        this.retry = retry;
        this.events = events;
        this.users = users;
        this.credentials = credentials;
        this.groups = groups;
        this.invalidation = invalidation;
        this.signup = signup;
        this.sessions = sessions;
        this.clock = clock;
        this.throttle = throttle;
    }

    /**
     * Creates an account and signs it in. The first account becomes instance admin; later ones get
     * {@code atrium.signup.default-role}.
     *
     * @param email    the e-mail address, unique regardless of case
     * @param name     the display name
     * @param password the password, 8 to 72 bytes
     * @return the new session
     * @throws AtriumException {@code signup_disabled} (403), {@code email_taken} (409), {@code validation_failed}
     *                         (400, password longer than 72 bytes)
     */
    @Transactional
    public SignedIn signUp(String email, String name, String password) {
        requirePasswordFits(password);
        if (!signup.enabled() && users.count() > 0) {
            // Checked again under the lock; checked here so that a closed instance spends no hashing on sign-ups.
            throw signupDisabled();
        }
        String hash = passwords.encode(password);
        users.lockAccounts();
        boolean first = users.count() == 0;
        if (!first && !signup.enabled()) {
            throw signupDisabled();
        }
        if (users.emailExists(email)) {
            throw emailTaken();
        }
        User user = users.insert(email.strip(), name.strip(), hash, first ? Role.ADMIN : signup.defaultRole());
        LogEvents.info(log, "user.signed_up").addKeyValue("new_user_id", user.id())
                .addKeyValue("role", user.role().value()).log();
        return openSession(user);
    }

    /**
     * Creates an account on someone's behalf, for instances where sign-up is closed or accounts are provisioned by
     * an admin. Instance admins only. The new account is not signed in.
     *
     * @param caller   the current caller
     * @param email    the e-mail address, unique regardless of case
     * @param name     the display name
     * @param password the initial password, 8 to 72 bytes
     * @param role     the account's role
     * @return the account
     * @throws AtriumException {@code admin_required} (403), {@code email_taken} (409), {@code validation_failed} (400)
     */
    @Transactional
    public User createUser(Caller caller, String email, String name, String password, Role role) {
        caller.requireAdmin();
        requirePasswordFits(password);
        String hash = passwords.encode(password);
        users.lockAccounts();
        if (users.emailExists(email)) {
            throw emailTaken();
        }
        User user = users.insert(email.strip(), name.strip(), hash, role);
        LogEvents.info(log, "user.created").addKeyValue("target_user_id", user.id())
                .addKeyValue("role", role.value()).log();
        return user;
    }

    /**
     * Signs in with e-mail and password, throttled per e-mail address and client address, per e-mail address across
     * all addresses not known to the account, and per client address, across replicas ({@link
     * SignInThrottleProperties}). A throttled attempt costs no database read and no password hashing. An unknown e-mail
     * address is hashed against a dummy hash and counted like a known one, so that neither the answer, its timing nor
     * the throttling tell whether an account exists; the throttle bounds what such attempts cost.
     *
     * @param email         the e-mail address
     * @param password      the password
     * @param clientAddress the client's IP address (the servlet remote address)
     * @return the new session
     * @throws AtriumException {@code invalid_credentials} (401), the same whether the e-mail or the password is wrong;
     *                         {@link TooManyAttemptsException} (429) while the e-mail or the client address is locked
     */
    // Not one transaction: no connection is held while hashing, and no Redis call runs inside a transaction. The read
    // and the session insert are single statements.
    public SignedIn signIn(String email, String password, String clientAddress) {
        Duration wait = throttle.acquire(email, clientAddress);
        if (!wait.isZero()) {
            LogEvents.info(log, "user.sign_in.throttled").addKeyValue("retry_after_ms", wait.toMillis()).log();
            throw new TooManyAttemptsException(wait);
        }
        Optional<UserStore.Credentials> found = users.findCredentials(email.strip());
        boolean matches = passwords.matches(password, found.map(UserStore.Credentials::passwordHash).orElse(dummyHash));
        if (found.isEmpty() || !matches) {
            LogEvents.info(log, "user.sign_in.rejected").log();
            throw new AtriumException(HttpStatus.UNAUTHORIZED, "invalid_credentials",
                    "The e-mail address or the password is wrong.");
        }
        throttle.succeeded(email, clientAddress);
        return openSession(found.get().user());
    }

    /**
     * Changes the caller's password, after checking the current one, and ends every other session of the account
     * (the caller's own session, when it is one, stays signed in; API keys are not sessions and stay valid). Guessing
     * the current password is throttled like sign-in, so that a stolen session or API key cannot be used to find it.
     *
     * @param caller        the current caller
     * @param current       the current password
     * @param next          the new password, 8 to 72 bytes
     * @param clientAddress the client's IP address, for the throttle
     * @return how many other sessions were ended
     * @throws AtriumException {@code validation_failed} (400) for a wrong current password or a new one that does
     *                         not fit; {@link TooManyAttemptsException} (429) while attempts are throttled
     */
    // Not one transaction, as for sign-in: no connection is held while hashing. The write is one statement.
    public int changePassword(Caller caller, String current, String next, String clientAddress) {
        if (next.length() < MIN_PASSWORD_LENGTH) {
            throw AtriumException.invalidField("newPassword", "must be at least " + MIN_PASSWORD_LENGTH
                    + " characters long");
        }
        if (next.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw AtriumException.invalidField("newPassword", "must be at most 72 bytes long in UTF-8");
        }
        Duration wait = throttle.acquire(caller.email(), clientAddress);
        if (!wait.isZero()) {
            LogEvents.info(log, "user.password_change.throttled").addKeyValue("retry_after_ms", wait.toMillis())
                    .log();
            throw new TooManyAttemptsException(wait);
        }
        Optional<String> stored = users.passwordHash(caller.userId());
        if (stored.isEmpty() || !passwords.matches(current, stored.get())) {
            LogEvents.info(log, "user.password_change.rejected").log();
            throw AtriumException.invalidField("currentPassword", "is not your current password");
        }
        throttle.succeeded(caller.email(), clientAddress);
        String hash = passwords.encode(next);
        UUID kept = caller.credential() == Caller.Credential.SESSION ? caller.credentialId() : NO_SESSION;
        int ended = retry.execute("user.password_change", () -> {
            int deleted = users.changePassword(caller.userId(), hash, kept);
            invalidation.changed(Scope.user(caller.userId()));
            return deleted;
        });
        LogEvents.info(log, "user.password_changed").addKeyValue("sessions_ended", ended).log();
        return ended;
    }

    /**
     * Ends the caller's session. Calling it with an API key does nothing: keys are revoked, not signed out.
     *
     * @param caller the current caller
     */
    @Transactional
    public void signOut(Caller caller) {
        if (caller.credential() == Caller.Credential.SESSION) {
            credentials.deleteSession(caller.credentialId());
            invalidation.changed(Scope.user(caller.userId()));
            LogEvents.info(log, "session.signed_out").log();
        }
    }

    /**
     * Looks up what a session token stands for, from current data.
     *
     * @param token the token from the cookie or the bearer header
     * @return the principal, or empty when the token is unknown or expired
     */
    @Transactional(readOnly = true)
    public Optional<Principal> findSession(String token) {
        return credentials.sessionPrincipal(Secrets.digest(token));
    }

    /**
     * Looks up what a personal API key stands for, from current data.
     *
     * @param key the key from the bearer or {@code x-api-key} header
     * @return the principal, or empty when the key is unknown, revoked or expired
     */
    @Transactional(readOnly = true)
    public Optional<Principal> findApiKey(String key) {
        return credentials.apiKeyPrincipal(Secrets.digest(key));
    }

    /**
     * Reads an account with its groups, highest priority first.
     *
     * @param userId the account
     * @return the profile, or empty when the account does not exist
     */
    @Transactional(readOnly = true)
    public Optional<AccessProfile> accessProfile(UUID userId) {
        return users.find(userId).map(user -> new AccessProfile(user, groups.membershipsOf(userId)));
    }

    /**
     * Lists accounts, oldest first. Instance admins only.
     *
     * @param caller the current caller
     * @param offset how many to skip
     * @param limit  page size
     * @return one page
     */
    @Transactional(readOnly = true)
    public Page<User> listUsers(Caller caller, int offset, int limit) {
        caller.requireAdmin();
        return new Page<>(users.page(offset, limit), users.count(), offset, limit);
    }

    /**
     * Reads one account. Instance admins read anyone; others only themselves.
     *
     * @param caller the current caller
     * @param userId the account
     * @return the account
     * @throws AtriumException {@code user_not_found} (404), also for accounts the caller may not see
     */
    @Transactional(readOnly = true)
    public User getUser(Caller caller, UUID userId) {
        if (!caller.isAdmin() && !caller.userId().equals(userId)) {
            throw userNotFound();
        }
        return users.find(userId).orElseThrow(AccountService::userNotFound);
    }

    /**
     * Changes the caller's own name, the one other people see (members of their groups, admins). The change shows on
     * the caller's next request on every replica.
     *
     * @param caller the current caller
     * @param name   the new name
     * @return the account after the change
     * @throws AtriumException {@code validation_failed} (400) for a blank name, one longer than
     *                         {@value #MAX_NAME_LENGTH} characters or one with control or bidirectional override
     *                         characters; {@code user_not_found} (404) when the account was deleted meanwhile
     */
    @Transactional
    public User rename(Caller caller, String name) {
        String chosen = UntrustedText.displayName("name", name, MAX_NAME_LENGTH);
        if (chosen.isEmpty()) {
            throw AtriumException.invalidField("name", "must not be blank");
        }
        User renamed = users.rename(caller.userId(), chosen).orElseThrow(AccountService::userNotFound);
        invalidation.changed(Scope.user(caller.userId()));
        LogEvents.info(log, "user.renamed").log();
        return renamed;
    }

    /**
     * Changes an account's role; approving a pending account is changing its role to {@code user}. Instance admins
     * only. The change applies to the account's very next request, on every replica.
     *
     * @param caller the current caller
     * @param userId the account
     * @param role   the new role
     * @return the account after the change
     * @throws AtriumException {@code admin_required} (403), {@code user_not_found} (404), {@code last_admin} (409)
     */
    @Transactional
    public User changeRole(Caller caller, UUID userId, Role role) {
        caller.requireAdmin();
        users.lockAccounts();
        User current = users.find(userId).orElseThrow(AccountService::userNotFound);
        if (current.role() == Role.ADMIN && role != Role.ADMIN) {
            requireAnotherAdmin();
        }
        User changed = users.updateRole(userId, role).orElseThrow(AccountService::userNotFound);
        invalidation.changed(Scope.user(userId));
        LogEvents.info(log, "user.role.changed").addKeyValue("target_user_id", userId)
                .addKeyValue("from", current.role().value()).addKeyValue("to", role.value()).log();
        return changed;
    }

    /**
     * Deletes an account with its sessions, API keys and memberships. Instance admins only. Deleting an account
     * that no longer exists succeeds.
     *
     * @param caller the current caller
     * @param userId the account
     * @throws AtriumException {@code admin_required} (403), {@code last_admin} (409), {@code conflict} (409) when
     *                         concurrent requests kept colliding with it
     */
    public void deleteUser(Caller caller, UUID userId) {
        caller.requireAdmin();
        // Lock order (docs/ARCHITECTURE.md): the account row, then what the cascades will change, then the delete.
        retry.run("user.delete", () -> {
            users.lockAccounts();
            Optional<User> target = users.find(userId);
            if (target.isEmpty() || !users.lockForDeletion(userId)) {
                return;
            }
            if (target.get().role() == Role.ADMIN) {
                requireAnotherAdmin();
            }
            events.publishEvent(new OwnerDeleting(userId, null));
            users.delete(userId);
            invalidation.changed(Scope.user(userId));
            LogEvents.info(log, "user.deleted").addKeyValue("target_user_id", userId).log();
        });
    }

    private SignedIn openSession(User user) {
        String token = Secrets.newToken(Secrets.SESSION_PREFIX);
        Instant expiresAt = clock.instant().plus(sessions.ttl());
        UUID sessionId = UUID.randomUUID();
        credentials.insertSession(sessionId, Secrets.digest(token), user.id(), expiresAt);
        LogEvents.info(log, "session.created").addKeyValue("session_user_id", user.id()).log();
        return new SignedIn(token, expiresAt, user);
    }

    private void requireAnotherAdmin() {
        if (users.countAdmins() <= 1) {
            throw AtriumException.conflict("last_admin",
                    "This is the last instance admin. Make another account admin first.");
        }
    }

    private static void requirePasswordFits(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw AtriumException.invalidField("password", "must be at most 72 bytes long in UTF-8");
        }
    }

    private static AtriumException signupDisabled() {
        return AtriumException.forbidden("signup_disabled",
                "Sign-up is disabled on this instance. Ask an admin to create an account for you.");
    }

    private static AtriumException emailTaken() {
        return AtriumException.conflict("email_taken", "An account with this e-mail address already exists.");
    }

    private static AtriumException userNotFound() {
        return AtriumException.notFound("user_not_found", "No such user.");
    }
}
