package org.atrium.settings;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.Group;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.GroupService;
import org.atrium.accounts.Role;
import org.atrium.accounts.User;
import org.atrium.cache.Scope;
import org.atrium.cache.Stamp;
import org.atrium.cache.VersionedCache;
import org.atrium.platform.SecretCipher;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Which embedding connection, model and credential a collection's files are embedded with: the effective settings of
 * the group that owns the collection (instance defaults overridden by the group), or of the user who owns a personal
 * collection (instance, their groups, their own overrides). Credentials follow the same ranking as for requests: an
 * instance credential applies only where an instance admin shared it with the group or with everyone, so there is no
 * silent fallback to an instance key.
 *
 * <p>Never stale: outside a transaction a choice is served from the {@link VersionedCache} under the versions of
 * the scopes it was computed from (the instance, the group; or the instance, the user and each of their groups),
 * read with them in one snapshot, so a change to any of them is seen by the next call on every replica (see
 * docs/consistency.md). Inside a caller's transaction it is read from PostgreSQL in that transaction.
 */
@Service
public class EmbeddingSettings {

    private static final UUID NOBODY = new UUID(0, 0);

    private final AccountService accounts;
    private final GroupService groups;
    private final SettingsStore settings;
    private final ProviderCredentialStore credentials;
    private final SecretCipher cipher;
    private final VersionedCache cache;
    private final TransactionTemplate snapshot;

    EmbeddingSettings(AccountService accounts, GroupService groups, SettingsStore settings,
                      ProviderCredentialStore credentials, SecretCipher cipher, VersionedCache cache,
                      PlatformTransactionManager transactions) {
        this.accounts = accounts;
        this.groups = groups;
        this.settings = settings;
        this.credentials = credentials;
        this.cipher = cipher;
        this.cache = cache;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
    }

    /** A choice with the stamp of the scopes it was computed from. */
    private record Stamped(Choice choice, Stamp stamp) {
    }

    /**
     * The embedding choice for one owner.
     *
     * @param connection   the provider connection ({@code embedding.connection}), or null when nobody set one
     * @param model        the model ({@code embedding.model}), or null when nobody set one
     * @param credentialId the credential that applies to the connection, or null when none does
     * @param owner        who the choice was made for, in words: {@code group 'Research'} or {@code ada@example.org}
     * @param groupOwned   {@code true} for a group's choice, {@code false} for a user's
     */
    public record Choice(@Nullable String connection, @Nullable String model, @Nullable UUID credentialId,
                         String owner, boolean groupOwned) {
    }

    /**
     * @param groupId the group owning a collection
     * @return its choice, or empty when the group no longer exists
     */
    public Optional<Choice> forGroup(UUID groupId) {
        return cached("emb:g:" + groupId, () -> readGroup(groupId));
    }

    private Optional<Stamped> readGroup(UUID groupId) {
        Optional<Group> group = groups.find(groupId);
        if (group.isEmpty()) {
            return Optional.empty();
        }
        User nobody = new User(NOBODY, "", "", Role.USER, Instant.EPOCH);
        AccessProfile profile = new AccessProfile(nobody, List.of(new AccessProfile.Membership(
                groupId, group.get().name(), group.get().priority(), GroupRole.MEMBER)));
        Inheritance.Result merged = Inheritance.merge(profile, settings.instance(), settings.groups(List.of(groupId)),
                JsonNodeFactory.instance.objectNode(), credentials.applicableTo(NOBODY, List.of(groupId)));
        Stamp stamp = cache.stampOf(List.of(Scope.INSTANCE, Scope.group(groupId)));
        return Optional.of(new Stamped(choice(merged, "group '" + group.get().name() + "'", true), stamp));
    }

    /**
     * @param userId the user owning a personal collection
     * @return their choice, or empty when the user no longer exists
     */
    public Optional<Choice> forUser(UUID userId) {
        return cached("emb:u:" + userId, () -> readUser(userId));
    }

    private Optional<Stamped> readUser(UUID userId) {
        return accounts.accessProfile(userId).map(profile -> {
            List<UUID> groupIds = profile.memberships().stream().map(AccessProfile.Membership::groupId).toList();
            Inheritance.Result merged = Inheritance.merge(profile, settings.instance(), settings.groups(groupIds),
                    settings.user(userId), credentials.applicableTo(userId, groupIds));
            List<Scope> scopes = new ArrayList<>(List.of(Scope.INSTANCE, Scope.user(userId)));
            groupIds.forEach(id -> scopes.add(Scope.group(id)));
            return new Stamped(choice(merged, profile.user().email(), false), cache.stampOf(scopes));
        });
    }

    /**
     * The cached choice while its stamp is current; else read with its stamp in one repeatable-read snapshot and
     * offered to the cache (refused when a writer moved on meanwhile). Inside a caller's transaction, read in it.
     */
    private Optional<Choice> cached(String key, Supplier<Optional<Stamped>> read) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return read.get().map(Stamped::choice);
        }
        Optional<Choice> hit = cache.get(key, Choice.class);
        if (hit.isPresent()) {
            return hit;
        }
        Optional<Stamped> fresh = snapshot.execute(status -> read.get());
        fresh.ifPresent(stamped -> cache.offer(key, stamped.choice(), stamped.stamp()));
        return fresh.map(Stamped::choice);
    }

    /**
     * Opens a credential's secret for a call to its provider. Never log or return it.
     *
     * @param credentialId the credential
     * @return the secret, or empty when the credential was deleted meanwhile
     */
    @Transactional(readOnly = true)
    public Optional<String> secret(UUID credentialId) {
        return credentials.sealed(credentialId).map(sealed -> cipher.open(sealed, credentialId.toString()));
    }

    private static Choice choice(Inheritance.Result merged, String owner, boolean groupOwned) {
        String connection = text(merged.settings().get(SettingKey.EMBEDDING_CONNECTION.key()));
        String model = text(merged.settings().get(SettingKey.EMBEDDING_MODEL.key()));
        UUID credentialId = connection == null ? null : merged.credentials().stream()
                .filter(c -> c.connection().equals(connection)).map(EffectiveCredential::credentialId)
                .findFirst().orElse(null);
        return new Choice(connection, model, credentialId, owner, groupOwned);
    }

    private static @Nullable String text(@Nullable EffectiveValue value) {
        if (value == null) {
            return null;
        }
        JsonNode node = value.value();
        return node == null || node.isNull() || node.asString().isBlank() ? null : node.asString().strip();
    }
}
