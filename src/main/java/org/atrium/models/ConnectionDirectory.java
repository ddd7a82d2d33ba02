package org.atrium.models;

import org.atrium.accounts.AccessProfile;
import org.atrium.cache.Scope;
import org.atrium.cache.Stamp;
import org.atrium.cache.VersionedCache;
import org.atrium.models.internal.ConnectionStore;
import org.atrium.models.internal.StoredConnection;
import org.atrium.providers.Embedders;
import org.atrium.providers.ProviderConnection;
import org.atrium.settings.EffectiveCredential;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Which connections exist and which of them a caller may use. Registered connections are read through the
 * never-stale cache, one entry per scope (the instance's connections under the instance scope, a group's under the
 * group's), which every change raises; so a request never sees a connection as it was before an acknowledged change.
 */
@Component
class ConnectionDirectory {

    private static final String INSTANCE_KEY = "models.connections:i";
    private static final String GROUP_KEY = "models.connections:g:";

    /**
     * A connection a caller may use, with the credential that applies.
     *
     * @param id            its id ({@code config:<name>} for configured ones)
     * @param rowId         the registered connection's id, null for configured ones
     * @param name          its name
     * @param kind          its wire format
     * @param baseUrl       its API root
     * @param groupId       its group, for a group's connection
     * @param urlSetByAdmin whether its URL is an instance admin's (or the operator's)
     * @param hasHeaders    whether it has extra headers to open
     * @param timeouts      its timeouts
     * @param revision      its revision (0 for configured ones)
     * @param credentialId  the caller's credential for it, null when none applies (and none is needed)
     */
    record Usable(String id, @Nullable UUID rowId, String name, ConnectionKind kind, URI baseUrl,
                  @Nullable UUID groupId, boolean urlSetByAdmin, boolean hasHeaders, ConnectionTimeouts timeouts,
                  long revision, @Nullable UUID credentialId) {
    }

    private final Embedders embedders;
    private final ConnectionStore store;
    private final VersionedCache cache;
    private final TransactionTemplate snapshot;

    ConnectionDirectory(Embedders embedders, ConnectionStore store, VersionedCache cache,
                        PlatformTransactionManager transactions) {
        this.embedders = embedders;
        this.store = store;
        this.cache = cache;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.snapshot.setReadOnly(true);
    }

    /** @return the configured connections (without the built-in {@code local}), by name */
    List<Connection> configured() {
        return embedders.connections().stream().filter(c -> c.type() != ProviderConnection.Type.LOCAL)
                .map(ConnectionDirectory::view).toList();
    }

    /** @return the configured connection with this id, if any */
    Optional<Connection> configured(String id) {
        return configured().stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** @return the names of the configured connections */
    Set<String> configuredNames() {
        return configured().stream().map(Connection::name).collect(Collectors.toSet());
    }

    /**
     * The enabled connections the caller may use: the configured and the instance's for everyone, a group's for its
     * members; each only with a credential that applies (kinds that need none are offered without). A group's
     * connection takes only the group's credential or the member's own: an instance credential, or another group's,
     * never goes to a URL a group admin chose.
     *
     * @param state the caller's effective state, current as of this request
     * @return the connections, configured first, then by name
     */
    List<Usable> usable(EffectiveState state) {
        List<Usable> result = new ArrayList<>();
        for (ProviderConnection c : embedders.connections()) {
            if (c.type() == ProviderConnection.Type.LOCAL || c.baseUrl() == null) {
                continue;
            }
            ConnectionKind kind = kindOf(c.type());
            UUID credential = credential(state, c.name(), null);
            if (credential != null || !kind.requiresCredential()) {
                result.add(new Usable(Connection.CONFIGURED_ID_PREFIX + c.name(), null, c.name(), kind, c.baseUrl(),
                        null, true, false, ConnectionTimeouts.DEFAULTS, 0, credential));
            }
        }
        List<StoredConnection> rows = new ArrayList<>(scope(INSTANCE_KEY, Scope.INSTANCE, null, state.stamp()));
        for (AccessProfile.Membership membership : state.groups()) {
            rows.addAll(scope(GROUP_KEY + membership.groupId(), Scope.group(membership.groupId()),
                    membership.groupId(), state.stamp()));
        }
        rows.sort(java.util.Comparator.comparing(StoredConnection::name));
        Set<String> configured = configuredNames();
        for (StoredConnection row : rows) {
            // A name configured after it was registered: the operator's connection wins, ids stay unambiguous.
            if (!row.enabled() || configured.contains(row.name())) {
                continue;
            }
            UUID credential = credential(state, row.name(), row.groupId());
            if (credential != null || !row.kind().requiresCredential()) {
                result.add(new Usable(row.id().toString(), row.id(), row.name(), row.kind(), URI.create(row.baseUrl()),
                        row.groupId(), row.urlSetByAdmin(), !row.headerNames().isEmpty(), row.timeouts(),
                        row.revision(), credential));
            }
        }
        return result;
    }

    /**
     * One scope's connections: from the cache, or read in one snapshot with the scope's version and offered. The
     * caller's state covers the instance and their groups, so an entry of the versions it was validated with is
     * served without asking Redis again.
     */
    private List<StoredConnection> scope(String key, Scope scope, @Nullable UUID groupId, Stamp validated) {
        Optional<StoredConnection.Set> cached = cache.get(key, StoredConnection.Set.class, validated);
        if (cached.isPresent()) {
            return cached.get().items();
        }
        record Read(StoredConnection.Set set, Stamp stamp) {
        }
        Read read = snapshot.execute(status -> new Read(new StoredConnection.Set(
                groupId == null ? store.ofInstance() : store.ofGroup(groupId)), cache.stampOf(List.of(scope))));
        cache.offer(key, read.set(), read.stamp());
        return read.set().items();
    }

    private static @Nullable UUID credential(EffectiveState state, String name, @Nullable UUID groupId) {
        for (EffectiveCredential credential : state.credentials()) {
            if (credential.connection().equals(name) && (groupId == null || credential.source().equals("user")
                    || credential.source().equals("group:" + groupId))) {
                return credential.credentialId();
            }
        }
        return null;
    }

    static ConnectionKind kindOf(ProviderConnection.Type type) {
        return ConnectionKind.of(type.name().toLowerCase(Locale.ROOT));
    }

    static Connection view(ProviderConnection c) {
        return new Connection(Connection.CONFIGURED_ID_PREFIX + c.name(), c.name(), kindOf(c.type()),
                java.util.Objects.requireNonNull(c.baseUrl()), Connection.CONFIGURATION, null, true, List.of(),
                ConnectionTimeouts.DEFAULTS, 0, null, null);
    }

    static Connection view(StoredConnection row) {
        return new Connection(row.id().toString(), row.name(), row.kind(), URI.create(row.baseUrl()),
                row.groupId() == null ? Connection.INSTANCE : Connection.GROUP, row.groupId(), row.enabled(),
                row.headerNames(), row.timeouts(), row.revision(), row.createdAt(), row.updatedAt());
    }
}
