package org.atrium.settings;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.Group;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.GroupService;
import org.atrium.accounts.Role;
import org.atrium.accounts.User;
import org.atrium.platform.SecretCipher;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Which embedding connection, model and credential a collection's files are embedded with: the effective settings of
 * the group that owns the collection (instance defaults overridden by the group), or of the user who owns a personal
 * collection (instance, their groups, their own overrides). Credentials follow the same ranking as for requests: an
 * instance credential applies only where an instance admin shared it with the group or with everyone, so there is no
 * silent fallback to an instance key.
 *
 * <p>Read from PostgreSQL each time: background jobs call this once per job, and must see the settings as they are.
 */
@Service
public class EmbeddingSettings {

    private static final UUID NOBODY = new UUID(0, 0);

    private final AccountService accounts;
    private final GroupService groups;
    private final SettingsStore settings;
    private final ProviderCredentialStore credentials;
    private final SecretCipher cipher;

    EmbeddingSettings(AccountService accounts, GroupService groups, SettingsStore settings,
                      ProviderCredentialStore credentials, SecretCipher cipher) {
        this.accounts = accounts;
        this.groups = groups;
        this.settings = settings;
        this.credentials = credentials;
        this.cipher = cipher;
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
    @Transactional(readOnly = true)
    public Optional<Choice> forGroup(UUID groupId) {
        Optional<Group> group = groups.find(groupId);
        if (group.isEmpty()) {
            return Optional.empty();
        }
        User nobody = new User(NOBODY, "", "", Role.USER, Instant.EPOCH);
        AccessProfile profile = new AccessProfile(nobody, List.of(new AccessProfile.Membership(
                groupId, group.get().name(), group.get().priority(), GroupRole.MEMBER)));
        Inheritance.Result merged = Inheritance.merge(profile, settings.instance(), settings.groups(List.of(groupId)),
                JsonNodeFactory.instance.objectNode(), credentials.applicableTo(NOBODY, List.of(groupId)));
        return Optional.of(choice(merged, "group '" + group.get().name() + "'", true));
    }

    /**
     * @param userId the user owning a personal collection
     * @return their choice, or empty when the user no longer exists
     */
    @Transactional(readOnly = true)
    public Optional<Choice> forUser(UUID userId) {
        return accounts.accessProfile(userId).map(profile -> {
            List<UUID> groupIds = profile.memberships().stream().map(AccessProfile.Membership::groupId).toList();
            Inheritance.Result merged = Inheritance.merge(profile, settings.instance(), settings.groups(groupIds),
                    settings.user(userId), credentials.applicableTo(userId, groupIds));
            return choice(merged, profile.user().email(), false);
        });
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
