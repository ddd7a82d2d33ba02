package org.atrium.knowledge;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupRole;
import org.atrium.accounts.Permission;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Page;
import org.atrium.platform.TransactionRetry;
import org.atrium.platform.UntrustedText;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Collections and their access rules. A collection belongs to a user or a group. Its owner, the owning group's
 * admins and instance admins <em>manage</em> it (delete, grant); the owning group's members <em>read</em> it; explicit
 * grants give a user or every member of a group <em>read</em> or <em>write</em>. Rules are evaluated against the
 * caller's effective state of this request, so a removal from a group applies from the next request on.
 * Collections a caller may not read do not exist for them (404).
 */
@Service
public class CollectionService {

    /** Longest collection name, in characters. */
    public static final int MAX_NAME_LENGTH = 200;
    /** Longest description, in characters. */
    public static final int MAX_DESCRIPTION_LENGTH = 2000;

    private static final Logger log = LoggerFactory.getLogger(CollectionService.class);

    private final CollectionStore store;
    private final CollectionSpaces spaces;
    private final TransactionRetry retry;
    private final IngestionJobs jobs;
    private final String defaultLanguage;

    CollectionService(CollectionStore store, CollectionSpaces spaces, TransactionRetry retry, IngestionJobs jobs,
                      KnowledgeProperties properties) {
        this.store = store;
        this.spaces = spaces;
        this.retry = retry;
        this.jobs = jobs;
        this.defaultLanguage = properties.defaultLanguage();
    }

    /**
     * Creates a collection for the caller, or for a group the caller administers.
     *
     * @param state       the caller's effective state
     * @param name        its name
     * @param description what it holds
     * @param groupId     the owning group, or {@code null} for a personal collection
     * @param language    the text search configuration of its keyword search, or {@code null} for the default
     *                    ({@code atrium.knowledge.default-language})
     * @return the collection
     * @throws AtriumException {@code validation_failed} (400) for a name or description out of bounds or a
     *                         language PostgreSQL lacks, {@code permission_denied} (403) without
     *                         {@code createCollections}, {@code forbidden} (403) for a plain member of the group,
     *                         {@code group_not_found} (404),
     *                         {@code invalid_credentials} (401) when the caller's account was deleted meanwhile
     */
    public Collection create(EffectiveState state, String name, String description, @Nullable UUID groupId,
                             @Nullable String language) {
        Caller caller = state.caller();
        caller.require(Permission.CREATE_COLLECTIONS);
        String checkedName = checkName(name);
        String checkedDescription = checkDescription(description);
        String chosen = language == null ? defaultLanguage : requireLanguage(language);
        if (groupId != null && !caller.isAdmin()) {
            GroupRole role = groupRole(state, groupId).orElseThrow(CollectionService::groupNotFound);
            if (role != GroupRole.ADMIN) {
                throw AtriumException.forbidden("forbidden", "Only the group's admins create its collections.");
            }
        }
        return retry.execute("collection.create",
                () -> insert(state, checkedName, checkedDescription, groupId, chosen));
    }

    /** A name: not blank, at most {@value #MAX_NAME_LENGTH} characters, nothing that displays as something else. */
    private static String checkName(String name) {
        String checked = UntrustedText.displayName("name", name, MAX_NAME_LENGTH);
        if (checked.isEmpty()) {
            throw AtriumException.invalidField("name", "must not be blank");
        }
        return checked;
    }

    private static String checkDescription(String description) {
        return UntrustedText.text("description", description, MAX_DESCRIPTION_LENGTH);
    }

    /**
     * @param language a text search configuration name
     * @return it, when PostgreSQL has it
     * @throws AtriumException {@code validation_failed} (400) naming the languages there are
     */
    private String requireLanguage(String language) {
        if (!store.languageExists(language)) {
            throw AtriumException.invalidField("language", "must be one of " + String.join(", ", store.languages()));
        }
        return language;
    }

    private Collection insert(EffectiveState state, String name, String description, @Nullable UUID groupId,
                              String language) {
        Caller caller = state.caller();
        lockCaller(caller);
        UUID id = UUID.randomUUID();
        try {
            store.insert(id, name, description, groupId == null ? caller.userId() : null, groupId,
                    caller.userId(), language);
        } catch (DataIntegrityViolationException noSuchGroup) {
            throw groupNotFound();
        }
        spaces.refreshTarget(id);
        LogEvents.info(log, "collection.created").addKeyValue("collection_id", id)
                .addKeyValue("group_id", groupId).log();
        return get(state, id);
    }

    /**
     * Lists the collections the caller may read, by name.
     *
     * @param state  the caller's effective state
     * @param offset how many to skip
     * @param limit  page size
     * @return one page
     */
    @Transactional(readOnly = true)
    public Page<Collection> list(EffectiveState state, int offset, int limit) {
        return list(state, null, offset, limit);
    }

    /**
     * Lists the collections a group owns that the caller may read, by name: a group's page shows them.
     *
     * @param state      the caller's effective state
     * @param ownerGroup the group
     * @param offset     how many to skip
     * @param limit      page size
     * @return one page; empty for a group the caller may see none of
     */
    @Transactional(readOnly = true)
    public Page<Collection> listOwnedBy(EffectiveState state, UUID ownerGroup, int offset, int limit) {
        return list(state, ownerGroup, offset, limit);
    }

    private Page<Collection> list(EffectiveState state, @Nullable UUID ownerGroup, int offset, int limit) {
        UUID[] groups = groupIds(state);
        Caller caller = state.caller();
        List<CollectionStore.Row> rows = store.readable(caller.isAdmin(), caller.userId(), groups, ownerGroup, offset,
                limit);
        Map<UUID, FileCounts> counts = store.counts(rows.stream().map(CollectionStore.Row::id)
                .toArray(UUID[]::new));
        List<Collection> items = rows.stream()
                .map(row -> view(row, access(state, row).orElse(Access.READ), counts)).toList();
        return new Page<>(items, store.countReadable(caller.isAdmin(), caller.userId(), groups, ownerGroup), offset,
                limit);
    }

    /**
     * Reads a collection the caller may read.
     *
     * @param state        the caller's effective state
     * @param collectionId the collection
     * @return the collection, with the caller's access
     * @throws AtriumException {@code collection_not_found} (404)
     */
    @Transactional(readOnly = true)
    public Collection get(EffectiveState state, UUID collectionId) {
        CollectionStore.Row row = find(state, collectionId);
        return view(row, require(state, row, Access.READ));
    }

    /**
     * Renames a collection or changes its description.
     *
     * @param state        the caller's effective state; needs write access
     * @param collectionId the collection
     * @param name         the new name, or {@code null} to keep it
     * @param description  the new description, or {@code null} to keep it
     * @return the collection after the change
     * @throws AtriumException {@code validation_failed} (400) for a name or description out of bounds,
     *                         {@code collection_not_found} (404), {@code forbidden} (403) with read access only
     */
    public Collection update(EffectiveState state, UUID collectionId, @Nullable String name,
                             @Nullable String description, @Nullable String language) {
        String checkedName = name == null ? null : checkName(name);
        String checkedDescription = description == null ? null : checkDescription(description);
        String chosen = language == null ? null : requireLanguage(language);
        return retry.execute("collection.update", () -> {
            lockCaller(state.caller());
            CollectionStore.Row row = find(state, collectionId);
            Access access = require(state, row, Access.WRITE);
            store.update(collectionId, checkedName == null ? row.name() : checkedName,
                    checkedDescription == null ? row.description() : checkedDescription,
                    chosen == null ? row.language() : chosen);
            if (chosen != null && !chosen.equals(row.language())) {
                jobs.relanguage(collectionId);
            }
            LogEvents.info(log, "collection.updated").addKeyValue("collection_id", collectionId).log();
            return view(find(state, collectionId), access);
        });
    }

    /**
     * Deletes a collection and its grants. Deleting one that does not exist succeeds.
     *
     * @param state        the caller's effective state; needs manage access
     * @param collectionId the collection
     * @throws AtriumException {@code collection_not_found} (404), {@code forbidden} (403), {@code conflict} (409)
     */
    public void delete(EffectiveState state, UUID collectionId) {
        // Lock order (docs/ARCHITECTURE.md): caller's account, the collection, its files, then the delete.
        retry.run("collection.delete", () -> {
            lockCaller(state.caller());
            Optional<CollectionStore.Row> row = store.find(collectionId, state.caller().userId(), groupIds(state));
            if (row.isEmpty()) {
                return;
            }
            require(state, row.get(), Access.MANAGE);
            store.lockForDeletion(collectionId);
            store.delete(collectionId);
            LogEvents.info(log, "collection.deleted").addKeyValue("collection_id", collectionId).log();
        });
    }

    /**
     * Lists a collection's grants.
     *
     * @param state        the caller's effective state; needs manage access
     * @param collectionId the collection
     * @return the grants
     */
    @Transactional(readOnly = true)
    public List<CollectionGrant> grants(EffectiveState state, UUID collectionId) {
        requireManage(state, collectionId);
        return store.grants(collectionId);
    }

    /**
     * Grants a user or a group read or write access, replacing an earlier grant to them.
     *
     * @param state        the caller's effective state; needs manage access
     * @param collectionId the collection
     * @param grant        exactly one of user or group, and {@code read} or {@code write}
     * @return the collection's grants after the change
     * @throws AtriumException {@code validation_failed} (400) for {@code manage}, {@code user_not_found} or
     *                         {@code group_not_found} (404)
     */
    public List<CollectionGrant> grant(EffectiveState state, UUID collectionId, CollectionGrant grant) {
        // Lock order (docs/ARCHITECTURE.md): accounts, the group, then the collection; the foreign keys cannot fire.
        return retry.execute("collection.grant", () -> {
            lockCaller(state.caller());
            requireManage(state, collectionId);
            if (grant.access() == Access.MANAGE) {
                throw AtriumException.invalidField("access", "must be read or write");
            }
            if (grant.userId() != null && !store.keyShareUser(grant.userId())) {
                throw AtriumException.notFound("user_not_found", "No such user.");
            }
            if (grant.groupId() != null && !store.keyShareGroup(grant.groupId())) {
                throw groupNotFound();
            }
            lockForWrite(collectionId);
            if (grant.userId() != null) {
                store.putUserGrant(collectionId, grant.userId(), grant.access());
            } else if (grant.groupId() != null) {
                store.putGroupGrant(collectionId, grant.groupId(), grant.access());
            }
            LogEvents.info(log, "collection.granted").addKeyValue("collection_id", collectionId)
                    .addKeyValue("access", grant.access().name().toLowerCase()).log();
            return store.grants(collectionId);
        });
    }

    /**
     * Removes a grant. Removing one that does not exist succeeds.
     *
     * @param state        the caller's effective state; needs manage access
     * @param collectionId the collection
     * @param userId       the user whose grant goes, or {@code null}
     * @param groupId      the group whose grant goes, or {@code null}
     */
    public void revoke(EffectiveState state, UUID collectionId, @Nullable UUID userId, @Nullable UUID groupId) {
        retry.run("collection.revoke", () -> {
            lockCaller(state.caller());
            requireManage(state, collectionId);
            if (userId != null) {
                store.deleteUserGrant(collectionId, userId);
            }
            if (groupId != null) {
                store.deleteGroupGrant(collectionId, groupId);
            }
            LogEvents.info(log, "collection.grant_revoked").addKeyValue("collection_id", collectionId).log();
        });
    }

    /**
     * For the other services of this module: the collection, when the caller has at least the access needed.
     *
     * @throws AtriumException {@code collection_not_found} (404) when the caller may not read it, {@code forbidden}
     *                         (403) when they may read it but need more
     */
    CollectionStore.Row requireAccess(EffectiveState state, UUID collectionId, Access needed) {
        CollectionStore.Row row = find(state, collectionId);
        require(state, row, needed);
        return row;
    }

    /**
     * Read access to several collections at once, in one statement, checked in the order given.
     *
     * @return the collections with their serving spaces, in the order given
     * @throws AtriumException {@code collection_not_found} (404) for the first one the caller may not read
     */
    List<CollectionStore.Searchable> requireReadable(EffectiveState state, List<UUID> collectionIds) {
        Map<UUID, CollectionStore.Searchable> found = store.findSearchable(collectionIds.toArray(UUID[]::new),
                state.caller().userId(), groupIds(state));
        List<CollectionStore.Searchable> readable = new ArrayList<>();
        for (UUID id : collectionIds) {
            CollectionStore.Searchable searchable = found.get(id);
            if (searchable == null) {
                throw notFound();
            }
            require(state, searchable.row(), Access.READ);
            readable.add(searchable);
        }
        return readable;
    }

    /**
     * For the uploads of this module: the caller's uploads collection, the hidden personal collection that holds the
     * files they upload without choosing a collection (so that every file is held by a collection, as everywhere
     * else). Created on first use, with its embedding target from the caller's settings; left out of listings.
     *
     * @throws AtriumException {@code invalid_credentials} (401) when the caller's account was deleted meanwhile
     */
    UUID uploads(EffectiveState state) {
        return retry.execute("collection.uploads", () -> {
            lockCaller(state.caller());
            CollectionStore.Uploads uploads = store.uploadsOf(state.caller().userId(), defaultLanguage);
            if (uploads.created()) {
                spaces.refreshTarget(uploads.id());
                LogEvents.info(log, "collection.created").addKeyValue("collection_id", uploads.id())
                        .addKeyValue("kind", "uploads").log();
            }
            return uploads.id();
        });
    }

    /**
     * For the writes of this module: the first lock of each (docs/ARCHITECTURE.md, lock order), a key-share lock on
     * the caller's account row, so that a deletion of the account waits for the write or the write for it.
     *
     * @throws AtriumException {@code invalid_credentials} (401) when the account was deleted meanwhile
     */
    void lockCaller(Caller caller) {
        if (!store.keyShareUser(caller.userId())) {
            throw new AtriumException(HttpStatus.UNAUTHORIZED, "invalid_credentials",
                    "The account this request was made with has been deleted.");
        }
    }

    /**
     * For the writes of this module: locks the collection before its files are changed (lock order).
     *
     * @throws AtriumException {@code collection_not_found} (404) when it was deleted meanwhile
     */
    void lockForWrite(UUID collectionId) {
        if (!store.lockForWrite(collectionId)) {
            throw notFound();
        }
    }

    private CollectionStore.Row find(EffectiveState state, UUID collectionId) {
        return store.find(collectionId, state.caller().userId(), groupIds(state))
                .orElseThrow(CollectionService::notFound);
    }

    private void requireManage(EffectiveState state, UUID collectionId) {
        require(state, find(state, collectionId), Access.MANAGE);
    }

    /** @return the caller's access; 404 when they may not read, 403 when they may read but need more */
    private Access require(EffectiveState state, CollectionStore.Row row, Access needed) {
        Access access = access(state, row).orElseThrow(CollectionService::notFound);
        if (!access.includes(needed)) {
            throw AtriumException.forbidden("forbidden", "You may " + access.name().toLowerCase()
                    + " this collection, but this needs " + needed.name().toLowerCase() + " access.");
        }
        return access;
    }

    private Optional<Access> access(EffectiveState state, CollectionStore.Row row) {
        Caller caller = state.caller();
        if (caller.isAdmin() || caller.userId().equals(row.ownerUserId())) {
            return Optional.of(Access.MANAGE);
        }
        Optional<Access> viaGroup = row.ownerGroupId() == null ? Optional.empty()
                : groupRole(state, row.ownerGroupId()).map(role -> role == GroupRole.ADMIN ? Access.MANAGE
                : Access.READ);
        if (viaGroup.filter(a -> a == Access.MANAGE).isPresent()) {
            return viaGroup;
        }
        Optional<Access> granted = Optional.ofNullable(row.granted());
        if (viaGroup.isPresent() && granted.isPresent()) {
            return Optional.of(granted.get().includes(viaGroup.get()) ? granted.get() : viaGroup.get());
        }
        return viaGroup.isPresent() ? viaGroup : granted;
    }

    private static Optional<GroupRole> groupRole(EffectiveState state, UUID groupId) {
        return state.groups().stream().filter(m -> m.groupId().equals(groupId))
                .map(AccessProfile.Membership::role).findFirst();
    }

    static UUID[] groupIds(EffectiveState state) {
        return state.groups().stream().map(AccessProfile.Membership::groupId).toArray(UUID[]::new);
    }

    /** The collection as the caller sees it, with its file counts (one more query). */
    private Collection view(CollectionStore.Row row, Access access) {
        return view(row, access, store.counts(new UUID[] {row.id()}));
    }

    private static Collection view(CollectionStore.Row row, Access access, Map<UUID, FileCounts> counts) {
        return new Collection(row.id(), row.name(), row.description(), row.ownerUserId(), row.ownerGroupId(),
                row.language(), access, row.createdAt(), row.updatedAt(),
                counts.getOrDefault(row.id(), FileCounts.NONE));
    }

    /**
     * For the live events of this module: the file counts of the given collections, whoever asks.
     *
     * @return their counts by id; collections without files are absent
     */
    Map<UUID, FileCounts> counts(UUID[] collectionIds) {
        return store.counts(collectionIds);
    }

    private static AtriumException notFound() {
        return AtriumException.notFound("collection_not_found", "No such collection.");
    }

    private static AtriumException groupNotFound() {
        return AtriumException.notFound("group_not_found", "No such group.");
    }
}
