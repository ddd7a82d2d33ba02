package org.atrium.accounts;

import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.UntrustedText;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Personal API keys: created by their owner, shown once, stored as a digest, listed masked, revoked by their owner
 * or an instance admin. A revoked or expired key is rejected on its next use.
 */
@Service
public class ApiKeyService {

    /** Longest key name, in characters. */
    public static final int MAX_NAME_LENGTH = 200;

    private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);
    /** The furthest expiry a key may have (about ten years); PostgreSQL cannot store every instant Java can. */
    static final Duration MAX_LIFETIME = Duration.ofDays(3653);

    private final CredentialStore credentials;
    private final Invalidation invalidation;
    private final Clock clock;

    ApiKeyService(CredentialStore credentials, Invalidation invalidation, Clock clock) {
        this.credentials = credentials;
        this.invalidation = invalidation;
        this.clock = clock;
    }

    /**
     * Creates a key for the caller.
     *
     * @param caller    the owner
     * @param name      what the key is for
     * @param expiresAt when it stops working, or {@code null} for never
     * @return the key, in full for this one time
     * @throws AtriumException {@code validation_failed} (400) when {@code name} is blank or not a plain name of at
     *                         most {@value #MAX_NAME_LENGTH} characters, or {@code expiresAt} is not in the future
     *                         or more than about ten years ahead,
     *                         {@code permission_denied} (403) without the {@code createApiKeys} permission
     */
    @Transactional
    public NewApiKey create(Caller caller, String name, @Nullable Instant expiresAt) {
        caller.require(Permission.CREATE_API_KEYS);
        String checkedName = UntrustedText.displayName("name", name, MAX_NAME_LENGTH);
        if (checkedName.isEmpty()) {
            throw AtriumException.invalidField("name", "must not be blank");
        }
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw AtriumException.invalidField("expiresAt", "must be in the future");
        }
        if (expiresAt != null && expiresAt.isAfter(clock.instant().plus(MAX_LIFETIME))) {
            throw AtriumException.invalidField("expiresAt",
                    "must be at most " + MAX_LIFETIME.toDays() + " days ahead; omit it for a key that does not expire");
        }
        String key = Secrets.newToken(Secrets.API_KEY_PREFIX);
        ApiKey created = credentials.insertApiKey(caller.userId(), checkedName, Secrets.digest(key),
                key.substring(key.length() - 4), expiresAt);
        LogEvents.info(log, "api_key.created").addKeyValue("api_key_id", created.id()).log();
        return new NewApiKey(key, created);
    }

    /**
     * Lists the caller's keys, masked, oldest first.
     *
     * @param caller the owner
     * @return the keys
     */
    @Transactional(readOnly = true)
    public List<ApiKey> list(Caller caller) {
        return credentials.apiKeysOf(caller.userId());
    }

    /**
     * Revokes a key: it is rejected from the next request on. The owner or an instance admin may revoke it.
     *
     * @param caller the current caller
     * @param keyId  the key's id
     * @throws AtriumException {@code api_key_not_found} (404), also for other users' keys when not admin
     */
    @Transactional
    public void revoke(Caller caller, UUID keyId) {
        UUID owner = credentials.apiKeyOwner(keyId).orElseThrow(ApiKeyService::notFound);
        if (!owner.equals(caller.userId()) && !caller.isAdmin()) {
            throw notFound();
        }
        credentials.deleteApiKey(keyId);
        invalidation.changed(Scope.user(owner));
        LogEvents.info(log, "api_key.revoked").addKeyValue("api_key_id", keyId).log();
    }

    private static AtriumException notFound() {
        return AtriumException.notFound("api_key_not_found", "No such API key.");
    }
}
