package org.atrium.settings;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Principal;
import org.atrium.accounts.TokenDigest;
import org.atrium.cache.Scope;
import org.atrium.cache.Stamp;
import org.atrium.cache.VersionedCache;
import org.atrium.platform.AtriumException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The one resolver: every request (browser session, API key, OpenAI-compatible call) obtains its caller's effective
 * state here, and nothing else reads these tables on the request path.
 *
 * <p>A hit in the never-stale cache costs one round trip to Redis (or none on a single node) and no query to
 * PostgreSQL. A miss reads everything the state depends on, with the versions of the scopes it depends on, in one
 * repeatable-read snapshot, then offers the result to the cache, which refuses it if a writer moved on meanwhile.
 */
@Service
public class EffectiveStateResolver {

    private static final String API_KEY_PREFIX = "atk_";

    private final AccountService accounts;
    private final SettingsStore settings;
    private final ProviderCredentialStore credentials;
    private final VersionedCache cache;
    private final TransactionTemplate snapshot;
    private final Clock clock;

    EffectiveStateResolver(AccountService accounts, SettingsStore settings, ProviderCredentialStore credentials,
                           VersionedCache cache, PlatformTransactionManager transactions, Clock clock) {
        this.accounts = accounts;
        this.settings = settings;
        this.credentials = credentials;
        this.cache = cache;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        // Its own transaction always: joining a caller's read-committed one would stamp old reads with newer versions.
        this.snapshot.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.snapshot.setReadOnly(true);
        this.clock = clock;
    }

    /**
     * Resolves the state behind a bearer secret.
     *
     * @param secret     a session token or an API key
     * @param apiKeyOnly {@code true} when the secret came in {@code x-api-key}, where only API keys are accepted
     * @return the state, or empty when the secret is unknown, revoked or expired, or its account is gone
     */
    public Optional<EffectiveState> resolve(String secret, boolean apiKeyOnly) {
        boolean apiKey = secret.startsWith(API_KEY_PREFIX);
        if (apiKeyOnly && !apiKey) {
            return Optional.empty();
        }
        String key = "tok:" + TokenDigest.hex(secret);
        Optional<EffectiveState> cached = cache.get(key, EffectiveState.class);
        if (cached.isPresent()) {
            return cached.filter(state -> state.expiresAt().isAfter(clock.instant()));
        }
        Optional<EffectiveState> resolved = snapshot.execute(status -> {
            Optional<Principal> principal = apiKey ? accounts.findApiKey(secret) : accounts.findSession(secret);
            return principal.flatMap(this::read);
        });
        resolved.ifPresent(state -> cache.offer(key, state, state.stamp()));
        return resolved;
    }

    /**
     * Computes any user's effective state from current data, for an instance admin looking at someone's settings.
     *
     * @param caller an instance admin
     * @param userId the user
     * @return the state, with the caller part describing that user
     * @throws AtriumException {@code admin_required} (403), {@code user_not_found} (404)
     */
    public EffectiveState forUser(Caller caller, UUID userId) {
        caller.requireAdmin();
        Principal none = new Principal(userId, Caller.Credential.SESSION, new UUID(0, 0), Principal.NEVER);
        return snapshot.execute(status -> read(none))
                .orElseThrow(() -> AtriumException.notFound("user_not_found", "No such user."));
    }

    /** Reads and merges, inside the caller's repeatable-read transaction. */
    private Optional<EffectiveState> read(Principal principal) {
        Optional<AccessProfile> found = accounts.accessProfile(principal.userId());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        AccessProfile profile = found.get();
        List<UUID> groupIds = profile.memberships().stream().map(AccessProfile.Membership::groupId).toList();
        ObjectNode instance = settings.instance();
        Map<UUID, ObjectNode> groupLayers = settings.groups(groupIds);
        ObjectNode user = settings.user(profile.user().id());
        List<Credential> applicable = credentials.applicableTo(profile.user().id(), groupIds);
        List<Scope> scopes = new ArrayList<>();
        scopes.add(Scope.INSTANCE);
        scopes.add(Scope.user(profile.user().id()));
        groupIds.forEach(id -> scopes.add(Scope.group(id)));
        Stamp stamp = cache.stampOf(scopes);

        Inheritance.Result merged = Inheritance.merge(profile, instance, groupLayers, user, applicable);
        Caller caller = new Caller(profile.user().id(), profile.user().email(), profile.user().name(),
                profile.user().role(), principal.credential(), principal.credentialId(), merged.permissions());
        return Optional.of(new EffectiveState(caller, principal.expiresAt(), profile.memberships(),
                merged.settings(), merged.credentials(), stamp));
    }
}
