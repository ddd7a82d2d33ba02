package org.atrium.knowledge;

import org.atrium.providers.Embedder;
import org.atrium.providers.Embedders;
import org.atrium.providers.ProviderConnection;
import org.atrium.settings.EmbeddingSettings;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which embedding model, connection and credential a collection's files are embedded with, from the
 * effective settings of the collection's owner (see {@link EmbeddingSettings}), and names what is missing in words
 * that tell the user which admin must set what.
 */
@Component
class EmbeddingTargets {

    /** The outcome for one collection owner. */
    sealed interface Target permits Ready, Unavailable {
    }

    /**
     * Embedding can run.
     *
     * @param spaceId      the embedding space of (connection, model)
     * @param connection   the provider connection
     * @param model        the model
     * @param credentialId the credential to use, null where the connection needs none
     */
    record Ready(int spaceId, String connection, String model, @Nullable UUID credentialId) implements Target {
    }

    /**
     * Embedding cannot run until an admin acts.
     *
     * @param spaceId the space when a model is chosen (its credential is what is missing), else null
     * @param code    a stable code
     * @param reason  what is missing and who must set it
     */
    record Unavailable(@Nullable Integer spaceId, String code, String reason) implements Target {
    }

    private final EmbeddingSettings settings;
    private final Embedders embedders;
    private final JdbcClient jdbc;
    /** The id of each (connection, model) space known committed. */
    private final Map<String, Integer> spaces = new ConcurrentHashMap<>();

    EmbeddingTargets(EmbeddingSettings settings, Embedders embedders, JdbcClient jdbc) {
        this.settings = settings;
        this.embedders = embedders;
        this.jdbc = jdbc;
    }

    /**
     * @param ownerUserId  the owner of a personal collection
     * @param ownerGroupId the owner of a group collection
     * @return the target for that owner's collections
     */
    Target resolve(@Nullable UUID ownerUserId, @Nullable UUID ownerGroupId) {
        Optional<EmbeddingSettings.Choice> found = ownerGroupId != null ? settings.forGroup(ownerGroupId)
                : settings.forUser(java.util.Objects.requireNonNull(ownerUserId));
        if (found.isEmpty()) {
            return new Unavailable(null, "collection_owner_gone", "The collection's owner no longer exists.");
        }
        EmbeddingSettings.Choice choice = found.get();
        if (choice.connection() == null || choice.model() == null) {
            return new Unavailable(null, "embedding_not_configured", choice.groupOwned()
                    ? "No embedding model is set for " + choice.owner() + ": a group admin of the group (or an "
                    + "instance admin, for everyone) must set embedding.connection and embedding.model."
                    : "No embedding model is set for this personal collection's owner: an instance admin, or a "
                    + "group admin of one of the owner's groups, must set embedding.connection and embedding.model "
                    + "(or the owner, if allowed to override settings).");
        }
        Optional<ProviderConnection> connection = embedders.connection(choice.connection());
        if (connection.isEmpty()) {
            String variable = choice.connection().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
            return new Unavailable(null, "embedding_connection_unknown", "The embedding connection '"
                    + choice.connection() + "' chosen for " + subject(choice) + " is not defined on this instance: "
                    + "an instance admin must define it (ATRIUM_PROVIDERS_CONNECTIONS_" + variable + "_TYPE and "
                    + "ATRIUM_PROVIDERS_CONNECTIONS_" + variable + "_BASE_URL), or the setting must name another "
                    + "connection.");
        }
        int spaceId = space(choice.connection(), choice.model());
        if (choice.credentialId() == null && connection.get().requiresCredential()) {
            return new Unavailable(spaceId, "embedding_credential_missing", choice.groupOwned()
                    ? "No credential for connection '" + choice.connection() + "' is available to "
                    + choice.owner() + ": a group admin of the group must add one, or an instance admin must share "
                    + "an instance credential with the group."
                    : "No credential for connection '" + choice.connection() + "' is available to this personal "
                    + "collection's owner: an instance admin must share one with the owner or one of their groups, or "
                    + "a group admin must add one to their group.");
        }
        return new Ready(spaceId, choice.connection(), choice.model(), choice.credentialId());
    }

    /** @return true when the connection exists and needs no credential (the built-in model, Ollama) */
    boolean needsNoCredential(String connection) {
        return embedders.connection(connection).map(c -> !c.requiresCredential()).orElse(false);
    }

    /** Who the choice belongs to, in words any reader of the collection may see (no personal e-mail address). */
    private static String subject(EmbeddingSettings.Choice choice) {
        return choice.groupOwned() ? choice.owner() : "this personal collection's owner";
    }

    /**
     * Builds the embedder for a ready target, opening its credential.
     *
     * @return the embedder, or empty when the credential was deleted since the target was resolved
     */
    Optional<Embedder> embedder(Ready target) {
        if (target.credentialId() == null) {
            return Optional.of(embedders.embedder(target.connection(), target.model(), null));
        }
        return settings.secret(target.credentialId())
                .map(secret -> embedders.embedder(target.connection(), target.model(), secret));
    }

    /**
     * The id of the space of (connection, model), created on first use. Read first and inserted only when missing:
     * an upsert would lock the row until commit and serialise every upload into the space.
     */
    int space(String connection, String model) {
        String key = connection + "\n" + model;
        Integer known = spaces.get(key);
        if (known != null) {
            return known;
        }
        int id = findOrCreateSpace(connection, model);
        // Spaces are never deleted nor renumbered; remember one only once its row is committed.
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    spaces.put(key, id);
                }
            });
        } else {
            spaces.put(key, id);
        }
        return id;
    }

    private int findOrCreateSpace(String connection, String model) {
        Optional<Integer> existing = findSpace(connection, model);
        if (existing.isPresent()) {
            return existing.get();
        }
        return jdbc.sql("""
                        insert into embedding_spaces (connection, model) values (:connection, :model)
                        on conflict (connection, model) do nothing returning id""")
                .param("connection", connection).param("model", model).query(Integer.class).optional()
                // Another transaction created it meanwhile: its row is visible once that one committed.
                .orElseGet(() -> findSpace(connection, model).orElseThrow());
    }

    private Optional<Integer> findSpace(String connection, String model) {
        return jdbc.sql("select id from embedding_spaces where connection = :connection and model = :model")
                .param("connection", connection).param("model", model).query(Integer.class).optional();
    }
}
