package org.atrium.settings;

import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupService;
import org.atrium.accounts.Permission;
import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.SecretCipher;
import org.atrium.platform.UntrustedText;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Provider credentials (API keys and AI-gateway virtual keys) at the three levels. Secrets are encrypted with
 * {@link SecretCipher} before they are stored, returned only masked, and never logged.
 *
 * <p>Instance credentials reach users only where an instance admin shared them: with every user, or with chosen
 * groups. Group credentials are set by instance admins or the group's admins and reach the group's members. Users
 * with {@code overrideSettings} (and instance admins, who hold every permission) may keep their own, which win over
 * everything else.
 */
@Service
public class CredentialService {

    private static final Logger log = LoggerFactory.getLogger(CredentialService.class);
    private static final java.util.regex.Pattern CONVENTIONAL_PREFIX = java.util.regex.Pattern.compile("[A-Za-z]{2,4}-");

    /**
     * What a new credential is, held to the same bounds wherever it comes from (the API, the web interface's forms).
     *
     * @param connection the provider connection: lower-case letters, digits and dashes, at most 64
     * @param kind       {@code api_key} or {@code virtual_key}
     * @param name       what it is, for people: a plain name of at most {@value #MAX_NAME_LENGTH} characters
     * @param secret     the secret, {@value #MIN_SECRET_LENGTH} to {@value #MAX_SECRET_LENGTH} characters
     */
    public record NewCredential(String connection, String kind, String name, String secret) {

        /** Longest name, in characters. */
        public static final int MAX_NAME_LENGTH = 200;
        /** Shortest secret, in characters. */
        public static final int MIN_SECRET_LENGTH = 4;
        /** Longest secret, in characters. */
        public static final int MAX_SECRET_LENGTH = 4096;

        /**
         * Checks every field.
         *
         * @throws AtriumException {@code validation_failed} (400) naming the first field out of bounds
         */
        public NewCredential {
            if (!connection.matches("[a-z0-9][a-z0-9-]{0,63}")) {
                throw AtriumException.invalidField("connection",
                        "must be lower-case letters, digits and dashes, at most 64");
            }
            if (!kind.equals("api_key") && !kind.equals("virtual_key")) {
                throw AtriumException.invalidField("kind", "must be api_key or virtual_key");
            }
            name = UntrustedText.displayName("name", name, MAX_NAME_LENGTH);
            if (name.isEmpty()) {
                throw AtriumException.invalidField("name", "must not be blank");
            }
            if (secret.isBlank() || secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH) {
                throw AtriumException.invalidField("secret", "must be " + MIN_SECRET_LENGTH + " to "
                        + MAX_SECRET_LENGTH + " characters");
            }
            UntrustedText.problem(secret).ifPresent(problem -> {
                throw AtriumException.invalidField("secret", problem);
            });
        }
    }

    private final ProviderCredentialStore store;
    private final GroupService groups;
    private final SecretCipher cipher;
    private final Invalidation invalidation;

    CredentialService(ProviderCredentialStore store, GroupService groups, SecretCipher cipher,
                      Invalidation invalidation) {
        this.store = store;
        this.groups = groups;
        this.cipher = cipher;
        this.invalidation = invalidation;
    }

    /**
     * @param caller an instance admin
     * @return the instance's credentials, masked
     */
    @Transactional(readOnly = true)
    public List<Credential> instanceCredentials(Caller caller) {
        caller.requireAdmin();
        return store.ofInstance();
    }

    /**
     * Stores an instance credential.
     *
     * @param caller        an instance admin
     * @param credential    what to store
     * @param sharedWithAll whether every user gets it
     * @param groupIds      groups whose members get it
     * @return the stored credential, masked
     */
    @Transactional
    public Credential createInstance(Caller caller, NewCredential credential, boolean sharedWithAll,
                                     Collection<UUID> groupIds) {
        caller.requireAdmin();
        groupIds.forEach(groupId -> groups.requireVisible(caller, groupId));
        UUID id = insert("instance", null, null, credential);
        store.replaceShares(id, sharedWithAll, groupIds);
        invalidation.changed(Scope.INSTANCE);
        return store.find(id).orElseThrow();
    }

    /**
     * Changes who an instance credential is shared with.
     *
     * @param caller        an instance admin
     * @param credentialId  the credential
     * @param sharedWithAll whether every user gets it
     * @param groupIds      groups whose members get it
     * @return the credential after the change
     * @throws AtriumException {@code credential_not_found} (404)
     */
    @Transactional
    public Credential share(Caller caller, UUID credentialId, boolean sharedWithAll, Collection<UUID> groupIds) {
        caller.requireAdmin();
        Credential existing = store.find(credentialId).filter(c -> c.scope().equals("instance"))
                .orElseThrow(CredentialService::notFound);
        groupIds.forEach(groupId -> groups.requireVisible(caller, groupId));
        store.replaceShares(existing.id(), sharedWithAll, groupIds);
        invalidation.changed(Scope.INSTANCE);
        LogEvents.info(log, "credential.shared").addKeyValue("credential_id", credentialId)
                .addKeyValue("groups", groupIds.size()).addKeyValue("all", sharedWithAll).log();
        return store.find(credentialId).orElseThrow();
    }

    /**
     * @param caller  an instance admin or an admin of the group
     * @param groupId the group
     * @return the group's credentials, masked
     */
    @Transactional(readOnly = true)
    public List<Credential> groupCredentials(Caller caller, UUID groupId) {
        groups.requireGroupAdmin(caller, groupId);
        return store.ofGroup(groupId);
    }

    /**
     * Stores a group credential (one per connection).
     *
     * @param caller     an instance admin or an admin of the group
     * @param groupId    the group
     * @param credential what to store
     * @return the stored credential, masked
     * @throws AtriumException {@code credential_exists} (409)
     */
    @Transactional
    public Credential createGroup(Caller caller, UUID groupId, NewCredential credential) {
        groups.requireGroupAdmin(caller, groupId);
        UUID id = insert("group", groupId, null, credential);
        invalidation.changed(Scope.group(groupId));
        return store.find(id).orElseThrow();
    }

    /**
     * @param caller the user
     * @return the user's own credentials, masked
     */
    @Transactional(readOnly = true)
    public List<Credential> userCredentials(Caller caller) {
        return store.ofUser(caller.userId());
    }

    /**
     * Stores one of the caller's own credentials (one per connection).
     *
     * @param caller     the user, who needs {@code overrideSettings}
     * @param credential what to store
     * @return the stored credential, masked
     * @throws AtriumException {@code permission_denied} (403), {@code credential_exists} (409)
     */
    @Transactional
    public Credential createUser(Caller caller, NewCredential credential) {
        caller.require(Permission.OVERRIDE_SETTINGS);
        UUID id = insert("user", null, caller.userId(), credential);
        invalidation.changed(Scope.user(caller.userId()));
        return store.find(id).orElseThrow();
    }

    /**
     * Deletes an instance credential. Deleting one that does not exist succeeds.
     *
     * @param caller       an instance admin
     * @param credentialId the credential
     * @throws AtriumException {@code admin_required} (403), {@code credential_not_found} (404) for a credential
     *                         that is not the instance's
     */
    @Transactional
    public void deleteInstance(Caller caller, UUID credentialId) {
        caller.requireAdmin();
        delete(credentialId, "instance", null, Scope.INSTANCE);
    }

    /**
     * Deletes a group credential. Deleting one that does not exist succeeds.
     *
     * @param caller       an instance admin or an admin of the group
     * @param groupId      the group
     * @param credentialId the credential
     * @throws AtriumException {@code group_not_found} (404), {@code forbidden} (403), {@code credential_not_found}
     *                         (404) for a credential of another owner
     */
    @Transactional
    public void deleteGroup(Caller caller, UUID groupId, UUID credentialId) {
        groups.requireGroupAdmin(caller, groupId);
        delete(credentialId, "group", groupId, Scope.group(groupId));
    }

    /**
     * Deletes one of the caller's own credentials. Deleting one that does not exist succeeds.
     *
     * @param caller       the user
     * @param credentialId the credential
     * @throws AtriumException {@code credential_not_found} (404) for someone else's credential
     */
    @Transactional
    public void deleteUser(Caller caller, UUID credentialId) {
        delete(credentialId, "user", caller.userId(), Scope.user(caller.userId()));
    }

    private void delete(UUID credentialId, String scope, @Nullable UUID ownerId, Scope cacheScope) {
        var found = store.find(credentialId);
        if (found.isEmpty()) {
            return;
        }
        Credential credential = found.get();
        if (!credential.scope().equals(scope) || (ownerId != null && !ownerId.equals(credential.ownerId()))) {
            throw notFound();
        }
        store.delete(credentialId);
        invalidation.changed(cacheScope);
        LogEvents.info(log, "credential.deleted").addKeyValue("credential_id", credentialId).log();
    }

    /**
     * Re-encrypts every credential that is not encrypted with the active key ({@code rotate-secrets}).
     *
     * @return how many were re-encrypted
     */
    @Transactional
    public int rotate() {
        List<UUID> ids = store.sealedWithOtherKeys(cipher.activeKeyId());
        for (UUID id : ids) {
            SecretCipher.Sealed old = store.sealed(id).orElseThrow();
            store.reseal(id, cipher.seal(cipher.open(old, id.toString()), id.toString()));
        }
        LogEvents.info(log, "secrets.rotated").addKeyValue("credentials", ids.size())
                .addKeyValue("key_id", cipher.activeKeyId()).log();
        return ids.size();
    }

    private UUID insert(String scope, @Nullable UUID groupId, @Nullable UUID userId, NewCredential credential) {
        UUID id = UUID.randomUUID();
        String secret = credential.secret().strip();
        SecretCipher.Sealed sealed = cipher.seal(secret, id.toString());
        try {
            store.insert(id, scope, groupId, userId, credential.connection(), credential.kind(),
                    credential.name(), sealed, conventionalPrefix(secret), visibleTail(secret), false);
        } catch (DuplicateKeyException exists) {
            throw AtriumException.conflict("credential_exists", "There is already a credential for connection '"
                    + credential.connection() + "' here. Delete it first to replace it.");
        }
        LogEvents.info(log, "credential.created").addKeyValue("credential_id", id).addKeyValue("scope", scope)
                .addKeyValue("connection", credential.connection()).log();
        return id;
    }

    /**
     * The end of the secret shown in its mask: nothing for secrets under 12 characters, then one character per eight
     * up to four, so that a mask never gives away more than an eighth of a secret (a fixed four would show a
     * four-character secret whole).
     */
    static String visibleTail(String secret) {
        return secret.substring(secret.length() - visibleCharacters(secret.length()));
    }

    /** How many of a secret's last characters its mask shows, by the secret's length. */
    static int visibleCharacters(int secretLength) {
        return secretLength < 12 ? 0 : Math.min(4, secretLength / 8);
    }

    /** A prefix such as {@code sk-} that names the kind of key without revealing any of it, or nothing. */
    private static String conventionalPrefix(String secret) {
        java.util.regex.Matcher prefix = CONVENTIONAL_PREFIX.matcher(secret);
        return prefix.lookingAt() && secret.length() >= prefix.end() + 8 ? prefix.group() : "";
    }

    private static AtriumException notFound() {
        return AtriumException.notFound("credential_not_found", "No such credential.");
    }
}
