package org.atrium.models;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.GroupService;
import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.atrium.models.internal.ConnectionStore;
import org.atrium.models.internal.HeaderRules;
import org.atrium.models.internal.SealedHeaders;
import org.atrium.models.internal.StoredConnection;
import org.atrium.models.internal.UrlGuard;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.SecretCipher;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Provider connections: the configured ones (read-only), the instance's and the groups'. Instance admins manage all
 * registered connections; a group's admins manage their group's when the instance allows it
 * ({@code permissions.groupConnections}). Header values are encrypted with {@link SecretCipher} and never returned.
 * Every change raises the cache scope the connection belongs to (the instance's, or its group's) inside its
 * transaction, so the next request on any replica sees it.
 *
 * <p>Deleting a connection deletes only the connection (and, with it, its cached model lists): credentials and
 * settings name connections, not rows, so they stay as they are, apply to nothing, and apply again if a connection of
 * that name is registered later. A group's connections go with the group.
 */
@Service
public class ConnectionService {

    private static final Logger log = LoggerFactory.getLogger(ConnectionService.class);
    /** Names credentials can refer to: lower-case letters, digits and dashes. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /**
     * A connection to register.
     *
     * @param name     its name (lower-case letters, digits and dashes, at most 63; not {@code local})
     * @param kind     its wire format
     * @param baseUrl  its API root
     * @param groupId  the group it is for, or null for the whole instance
     * @param headers  extra request headers
     * @param enabled  whether it is offered
     * @param timeouts its timeouts, or null for the defaults
     */
    public record NewConnection(String name, ConnectionKind kind, String baseUrl, @Nullable UUID groupId,
                                Map<String, String> headers, boolean enabled, @Nullable ConnectionTimeouts timeouts) {
    }

    /**
     * A change; null fields stay as they are.
     *
     * @param baseUrl  a new API root
     * @param headers  the new extra headers, replacing all; a null value keeps that header's stored value
     * @param enabled  whether it is offered
     * @param timeouts new timeouts
     */
    public record ConnectionChange(@Nullable String baseUrl, @Nullable Map<String, @Nullable String> headers,
                                   @Nullable Boolean enabled, @Nullable ConnectionTimeouts timeouts) {
    }

    private final ConnectionStore store;
    private final ConnectionDirectory directory;
    private final GroupService groups;
    private final SealedHeaders sealedHeaders;
    private final Invalidation invalidation;
    private final ConnectionsProperties properties;
    private final TransactionTemplate transactions;

    ConnectionService(ConnectionStore store, ConnectionDirectory directory, GroupService groups,
                      SealedHeaders sealedHeaders, Invalidation invalidation, ConnectionsProperties properties,
                      PlatformTransactionManager transactions) {
        this.transactions = new TransactionTemplate(transactions);
        this.store = store;
        this.directory = directory;
        this.groups = groups;
        this.sealedHeaders = sealedHeaders;
        this.invalidation = invalidation;
        this.properties = properties;
    }

    /**
     * The connections the caller manages: all of them for instance admins (configured ones first), the connections of
     * the groups they administer for group admins, none for everyone else.
     *
     * @param state the caller's effective state
     * @return the connections
     */
    @Transactional(readOnly = true)
    public List<Connection> list(EffectiveState state) {
        List<Connection> result = new ArrayList<>();
        if (state.caller().isAdmin()) {
            result.addAll(directory.configured());
            store.ofInstance().forEach(row -> result.add(ConnectionDirectory.view(row)));
        }
        List<StoredConnection> ofGroups = state.caller().isAdmin() ? store.ofAnyGroup()
                : store.ofGroups(state.groups().stream().filter(m -> m.role() == GroupRole.ADMIN)
                        .map(AccessProfile.Membership::groupId).toList());
        ofGroups.forEach(row -> result.add(ConnectionDirectory.view(row)));
        return result;
    }

    /**
     * @param caller the caller
     * @param id     a connection's id ({@code config:<name>} for a configured one)
     * @return the connection
     * @throws AtriumException {@code connection_not_found} (404) when there is none the caller manages
     */
    @Transactional(readOnly = true)
    public Connection get(Caller caller, String id) {
        Optional<Connection> configured = directory.configured(id);
        if (configured.isPresent()) {
            if (!caller.isAdmin()) {
                throw notFound();
            }
            return configured.get();
        }
        return ConnectionDirectory.view(managed(caller, id, false));
    }

    /**
     * Registers a connection.
     *
     * @param state      the caller's effective state: an instance admin, or for a group's connection an admin of the
     *                   group while the instance allows group connections
     * @param connection what to register
     * @return the connection
     * @throws AtriumException {@code validation_failed} (400) for a bad field or a refused URL,
     *                         {@code admin_required} (403), {@code group_connections_disabled} (403),
     *                         {@code group_not_found} (404), {@code forbidden} (403), {@code connection_exists} (409)
     */
    public Connection create(EffectiveState state, NewConnection connection) {
        Caller caller = state.caller();
        if (connection.groupId() == null) {
            caller.requireAdmin();
        } else {
            groups.requireGroupAdmin(caller, connection.groupId());
            requireGroupConnectionsAllowed(state);
        }
        String name = connection.name();
        if (!NAME.matcher(name).matches() || name.equals("local")) {
            throw AtriumException.invalidField("name", "must be lower-case letters, digits and dashes, at most 63,"
                    + " starting with a letter or digit, and not 'local'");
        }
        if (directory.configuredNames().contains(name)) {
            throw exists(name);
        }
        // Resolving the host may take seconds: done before the transaction, which holds a database connection.
        URI url = checkedUrl(connection.baseUrl(), caller.isAdmin());
        HeaderRules.check(connection.headers());
        ConnectionTimeouts timeouts = checked(connection.timeouts() == null ? ConnectionTimeouts.DEFAULTS
                : connection.timeouts());
        UUID id = UUID.randomUUID();
        transactions.executeWithoutResult(status -> {
            try {
                store.insert(id, name, connection.kind(), url.toString(), connection.groupId(), connection.enabled(),
                        caller.isAdmin(), names(connection.headers()),
                        sealedHeaders.seal(id, new TreeMap<>(connection.headers())),
                        timeouts, caller.userId());
            } catch (DuplicateKeyException taken) {
                throw exists(name);
            }
            invalidation.changed(scopeOf(connection.groupId()));
        });
        LogEvents.info(log, "connection.created").addKeyValue("connection_id", id).addKeyValue("connection", name)
                .addKeyValue("kind", connection.kind().wire()).addKeyValue("group_id", connection.groupId()).log();
        return ConnectionDirectory.view(store.find(id, false).orElseThrow());
    }

    /**
     * Changes a registered connection (its name, kind and owner stay: credentials and settings refer to the name).
     *
     * @param state  the caller's effective state
     * @param id     the connection's id
     * @param change what to change
     * @return the connection after the change
     * @throws AtriumException as {@link #create}, plus {@code connection_not_found} (404) and
     *                         {@code connection_read_only} (409) for a configured one
     */
    public Connection update(EffectiveState state, String id, ConnectionChange change) {
        Caller caller = state.caller();
        requireChangeable(caller, id);
        StoredConnection before = managed(caller, id, false);
        if (before.groupId() != null && !caller.isAdmin()) {
            requireGroupConnectionsAllowed(state);
        }
        // Resolving the host may take seconds: done before the transaction, which holds a database connection.
        String checkedUrl = change.baseUrl() == null ? null : checkedUrl(change.baseUrl(), caller.isAdmin()).toString();
        return Objects.requireNonNull(transactions.execute(status -> update(caller, id, change, checkedUrl)));
    }

    private Connection update(Caller caller, String id, ConnectionChange change, @Nullable String checkedUrl) {
        StoredConnection current = managed(caller, id, true);
        String url = current.baseUrl();
        boolean urlSetByAdmin = current.urlSetByAdmin();
        if (checkedUrl != null) {
            url = checkedUrl;
            urlSetByAdmin = caller.isAdmin();
        }
        List<String> headerNames = current.headerNames();
        SecretCipher.Sealed sealed = store.sealedHeaders(current.id()).orElse(null);
        if (change.headers() != null) {
            HeaderRules.check(change.headers());
            Map<String, String> stored = sealedHeaders.open(current.id(), sealed);
            TreeMap<String, String> merged = new TreeMap<>();
            for (Map.Entry<String, @Nullable String> header : change.headers().entrySet()) {
                String value = header.getValue() != null ? header.getValue() : stored.get(header.getKey());
                if (value == null) {
                    throw AtriumException.invalidField("headers", "header '" + header.getKey() + "' has no stored"
                            + " value to keep; give its value");
                }
                merged.put(header.getKey(), value);
            }
            headerNames = names(merged);
            sealed = sealedHeaders.seal(current.id(), merged);
        }
        ConnectionTimeouts timeouts = change.timeouts() == null ? current.timeouts() : checked(change.timeouts());
        boolean enabled = change.enabled() == null ? current.enabled() : change.enabled();
        store.update(current.id(), url, enabled, urlSetByAdmin, headerNames, sealed, timeouts);
        invalidation.changed(scopeOf(current.groupId()));
        LogEvents.info(log, "connection.changed").addKeyValue("connection_id", current.id())
                .addKeyValue("connection", current.name()).log();
        return ConnectionDirectory.view(store.find(current.id(), false).orElseThrow());
    }

    /**
     * Deletes a registered connection. Credentials and settings that name it stay (see the class comment).
     *
     * @param caller the caller: an instance admin, or an admin of the connection's group
     * @param id     the connection's id
     * @throws AtriumException {@code connection_not_found} (404), {@code connection_read_only} (409)
     */
    @Transactional
    public void delete(Caller caller, String id) {
        requireChangeable(caller, id);
        StoredConnection current = managed(caller, id, true);
        store.delete(current.id());
        invalidation.changed(scopeOf(current.groupId()));
        LogEvents.info(log, "connection.deleted").addKeyValue("connection_id", current.id())
                .addKeyValue("connection", current.name()).log();
    }

    /**
     * Re-encrypts every connection's headers that are not encrypted with the active key ({@code rotate-secrets}).
     *
     * @return how many were re-encrypted
     */
    @Transactional
    public int rotate() {
        List<UUID> ids = store.sealedWithOtherKeys(sealedHeaders.activeKeyId());
        for (UUID id : ids) {
            store.reseal(id, sealedHeaders.reseal(id, store.sealedHeaders(id).orElseThrow()));
        }
        LogEvents.info(log, "secrets.rotated").addKeyValue("connections", ids.size())
                .addKeyValue("key_id", sealedHeaders.activeKeyId()).log();
        return ids.size();
    }

    /**
     * Opens a connection's header values for a call to its provider. Never log or return them.
     *
     * @param connectionId the connection
     * @return its headers, empty when it has none
     */
    @Transactional(readOnly = true)
    public Map<String, String> headers(UUID connectionId) {
        return sealedHeaders.open(connectionId, store.sealedHeaders(connectionId).orElse(null));
    }

    /**
     * Whether a base URL may be called now: it resolves, and to a public address unless internal ones are allowed
     * for whoever set it. Checked again before every fetch, since names can be re-pointed.
     *
     * @param url           the URL
     * @param urlSetByAdmin whether an instance admin set it
     * @return why it may not be called, or empty
     */
    public Optional<String> addressProblem(URI url, boolean urlSetByAdmin) {
        return UrlGuard.addressProblem(url, allowPrivate(urlSetByAdmin));
    }

    /**
     * @param urlSetByAdmin whether an instance admin (or the operator) set the URL
     * @return whether calls to it may connect to addresses that are not public
     */
    public boolean internalAddressesAllowed(boolean urlSetByAdmin) {
        return allowPrivate(urlSetByAdmin);
    }

    private boolean allowPrivate(boolean byAdmin) {
        return properties.allowPrivateAddresses() && (byAdmin || properties.allowPrivateAddressesForGroups());
    }

    private URI checkedUrl(String text, boolean byAdmin) {
        URI url = UrlGuard.parse(text);
        UrlGuard.addressProblem(url, allowPrivate(byAdmin)).ifPresent(problem -> {
            throw AtriumException.invalidField("baseUrl", "is refused: " + problem);
        });
        return url;
    }

    private static ConnectionTimeouts checked(ConnectionTimeouts t) {
        range("timeouts.connectMs", t.connectMs(), ConnectionTimeouts.MIN_MS, ConnectionTimeouts.MAX_CONNECT_MS);
        range("timeouts.firstTokenMs", t.firstTokenMs(), ConnectionTimeouts.MIN_MS, ConnectionTimeouts.MAX_PHASE_MS);
        range("timeouts.idleMs", t.idleMs(), ConnectionTimeouts.MIN_MS, ConnectionTimeouts.MAX_PHASE_MS);
        range("timeouts.totalMs", t.totalMs(), ConnectionTimeouts.MIN_TOTAL_MS, ConnectionTimeouts.MAX_TOTAL_MS);
        return t;
    }

    private static void range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw AtriumException.invalidField(field, "must be from " + min + " to " + max);
        }
    }

    private void requireGroupConnectionsAllowed(EffectiveState state) {
        if (!state.caller().isAdmin()
                && !state.setting(SettingKey.GROUP_CONNECTIONS).value().asBoolean(false)) {
            throw AtriumException.forbidden("group_connections_disabled", "Group admins may not register"
                    + " connections on this instance; an instance admin can allow it"
                    + " (setting permissions.groupConnections).");
        }
    }

    private void requireChangeable(Caller caller, String id) {
        if (directory.configured(id).isPresent()) {
            if (!caller.isAdmin()) {
                throw notFound();
            }
            throw AtriumException.conflict("connection_read_only", "This connection comes from the configuration"
                    + " (atrium.providers.connections.*); change it there.");
        }
    }

    /** The registered connection with this id, if the caller manages it; 404 otherwise. */
    private StoredConnection managed(Caller caller, String id, boolean forUpdate) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException notAnId) {
            throw notFound();
        }
        StoredConnection found = store.find(uuid, forUpdate).orElseThrow(ConnectionService::notFound);
        if (!caller.isAdmin()) {
            if (found.groupId() == null) {
                throw notFound();
            }
            try {
                groups.requireGroupAdmin(caller, found.groupId());
            } catch (AtriumException notTheirs) {
                throw notFound();
            }
        }
        return found;
    }

    private static List<String> names(Map<String, ?> headers) {
        return headers.keySet().stream().sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }

    private static Scope scopeOf(@Nullable UUID groupId) {
        return groupId == null ? Scope.INSTANCE : Scope.group(groupId);
    }

    private static AtriumException exists(String name) {
        return AtriumException.conflict("connection_exists", "There is already a connection named '"
                + name.toLowerCase(Locale.ROOT) + "'. Connection names are unique, since credentials and settings"
                + " refer to them.");
    }

    static AtriumException notFound() {
        return AtriumException.notFound("connection_not_found", "No such connection.");
    }
}
