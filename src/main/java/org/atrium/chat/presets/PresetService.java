package org.atrium.chat.presets;

import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupRole;
import org.atrium.chat.AnswerParameters;
import org.atrium.knowledge.CollectionService;
import org.atrium.knowledge.FileService;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Page;
import org.atrium.platform.TransactionRetry;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Presets and their access rules, those of collections without grants: a preset belongs to a user or a group; its
 * owner, the owning group's admins and instance admins <em>manage</em> it (change, delete); the owning group's members
 * <em>use</em> it. Presets a caller may not see do not exist for them (404). Rules are evaluated against the caller's
 * effective state of this request, so a removal from a group applies from the next request on.
 *
 * <p>Presets are read from PostgreSQL on each use (one primary-key read per answer made with a preset, one indexed
 * read per model list), not cached: there is no cache scope to raise when one changes, and a change applies to the
 * next answer on every replica.
 */
@Service
public class PresetService {

    /** Most presets one user or one group owns. */
    public static final int MAX_PER_OWNER = 100;
    /** Most presets the model list shows a caller. */
    static final int MAX_LISTED = 500;

    private static final Logger log = LoggerFactory.getLogger(PresetService.class);

    private final PresetStore store;
    private final CollectionService collections;
    private final FileService files;
    private final TransactionRetry retry;
    private final JsonMapper json;

    PresetService(PresetStore store, CollectionService collections, FileService files, TransactionRetry retry,
                  JsonMapper json) {
        this.store = store;
        this.collections = collections;
        this.files = files;
        this.retry = retry;
        this.json = json;
    }

    /**
     * Creates a preset for the caller, or for a group the caller administers (instance admins: any group).
     *
     * @param draft   name and base model required; the rest optional
     * @param groupId the owning group, or null for a personal preset
     * @return the preset
     * @throws AtriumException {@code validation_failed} (400); {@code forbidden} (403) for a plain member of the
     *                         group; {@code group_not_found}, {@code collection_not_found}, {@code file_not_found}
     *                         (404); {@code too_many_presets} (409) past {@value #MAX_PER_OWNER} for the owner
     */
    public Preset create(EffectiveState state, PresetDraft draft, @Nullable UUID groupId) {
        Caller caller = state.caller();
        if (groupId != null && !caller.isAdmin()) {
            GroupRole role = groupRole(state, groupId).orElseThrow(PresetService::groupNotFound);
            if (role != GroupRole.ADMIN) {
                throw AtriumException.forbidden("forbidden", "Only the group's admins create its presets.");
            }
        }
        if (draft.name() == null || draft.baseModel() == null) {
            throw AtriumException.invalidField(draft.name() == null ? "name" : "baseModel", "must not be blank");
        }
        String name = PresetRules.name(draft.name());
        String base = PresetRules.model("baseModel", draft.baseModel());
        List<String> fallbacks = PresetRules.fallbacks(base, draft.fallbackModels() == null ? List.of()
                : draft.fallbackModels());
        PresetKnowledge knowledge = readable(state, draft.knowledge() == null ? PresetKnowledge.NONE
                : draft.knowledge());
        String prompt = PresetRules.prompt(draft.systemPrompt() == null ? "" : draft.systemPrompt());
        String parameters = parameters(draft.parameters() == null ? AnswerParameters.DEFAULTS : draft.parameters());
        UUID id = UUID.randomUUID();
        UUID owner = groupId == null ? caller.userId() : groupId;
        retry.run("preset.create", () -> {
            lockOwners(caller, groupId);
            lockKnowledge(knowledge);
            store.lockOwner(owner);
            if (store.countOwned(groupId == null ? owner : null, groupId) >= MAX_PER_OWNER) {
                throw AtriumException.conflict("too_many_presets", "A user or a group owns at most "
                        + MAX_PER_OWNER + " presets; delete one first.");
            }
            store.insert(id, name, groupId == null ? owner : null, groupId, base, prompt, parameters, fallbacks);
            replaceKnowledge(id, knowledge);
        });
        LogEvents.info(log, "preset.created").addKeyValue("preset_id", id).addKeyValue("group_id", groupId).log();
        return get(state, id);
    }

    /**
     * Lists the presets the caller may see (own, their groups'; all for instance admins), by name.
     *
     * @return one page
     */
    @Transactional(readOnly = true)
    public Page<Preset> list(EffectiveState state, int offset, int limit) {
        Caller caller = state.caller();
        UUID[] groups = groupIds(state);
        List<PresetStore.Row> rows = store.visible(caller.isAdmin(), caller.userId(), groups, offset, limit);
        Map<UUID, PresetKnowledge> knowledge = store.knowledge(rows.stream().map(PresetStore.Row::id)
                .toArray(UUID[]::new));
        return new Page<>(rows.stream().map(row -> view(row, access(state, row).orElse(PresetAccess.USE),
                knowledge)).toList(), store.countVisible(caller.isAdmin(), caller.userId(), groups), offset, limit);
    }

    /**
     * Reads a preset the caller may see.
     *
     * @throws AtriumException {@code preset_not_found} (404)
     */
    @Transactional(readOnly = true)
    public Preset get(EffectiveState state, UUID presetId) {
        return find(state, presetId).orElseThrow(PresetService::notFound);
    }

    /**
     * For answers: the preset, when the caller may see it.
     *
     * @return the preset, or empty when it does not exist or the caller may not see it
     */
    @Transactional(readOnly = true)
    public Optional<Preset> find(EffectiveState state, UUID presetId) {
        return store.find(presetId, false).flatMap(row -> access(state, row).map(access ->
                view(row, access, store.knowledge(new UUID[] {presetId}))));
    }

    /**
     * Changes a preset; null fields keep their value, a given list or parameters object replaces the whole of it.
     *
     * @return the preset after the change
     * @throws AtriumException {@code preset_not_found} (404), {@code forbidden} (403) for a member who may only use
     *                         it, {@code validation_failed} (400), {@code collection_not_found} or
     *                         {@code file_not_found} (404)
     */
    public Preset update(EffectiveState state, UUID presetId, PresetDraft changes) {
        String name = changes.name() == null ? null : PresetRules.name(changes.name());
        String base = changes.baseModel() == null ? null : PresetRules.model("baseModel", changes.baseModel());
        String prompt = changes.systemPrompt() == null ? null : PresetRules.prompt(changes.systemPrompt());
        String parameters = changes.parameters() == null ? null : parameters(changes.parameters());
        PresetKnowledge knowledge = changes.knowledge() == null ? null : readable(state, changes.knowledge());
        retry.run("preset.update", () -> {
            lockCaller(state.caller());
            if (knowledge != null) {
                lockKnowledge(knowledge);
            }
            PresetStore.Row row = store.find(presetId, true).orElseThrow(PresetService::notFound);
            require(state, row);
            String newBase = base == null ? row.baseModel() : base;
            List<String> fallbacks = PresetRules.fallbacks(newBase, changes.fallbackModels() == null
                    ? row.fallbackModels() : changes.fallbackModels());
            store.update(presetId, name == null ? row.name() : name, newBase,
                    prompt == null ? row.systemPrompt() : prompt, parameters == null ? row.parameters() : parameters,
                    fallbacks);
            if (knowledge != null) {
                replaceKnowledge(presetId, knowledge);
            }
        });
        LogEvents.info(log, "preset.updated").addKeyValue("preset_id", presetId).log();
        return get(state, presetId);
    }

    /**
     * Deletes a preset. Deleting one that does not exist succeeds.
     *
     * @throws AtriumException {@code preset_not_found} (404) when the caller may not see it, {@code forbidden} (403)
     *                         when they may only use it
     */
    public void delete(EffectiveState state, UUID presetId) {
        retry.run("preset.delete", () -> {
            lockCaller(state.caller());
            Optional<PresetStore.Row> row = store.find(presetId, true);
            if (row.isEmpty()) {
                return;
            }
            require(state, row.get());
            store.delete(presetId);
        });
        LogEvents.info(log, "preset.deleted").addKeyValue("preset_id", presetId).log();
    }

    /** @return the presets the caller's model list shows: own and their groups', by name, at most 500 */
    @Transactional(readOnly = true)
    public List<Preset> usable(EffectiveState state) {
        List<PresetStore.Row> rows = store.usable(state.caller().userId(), groupIds(state), MAX_LISTED);
        Map<UUID, PresetKnowledge> knowledge = store.knowledge(rows.stream().map(PresetStore.Row::id)
                .toArray(UUID[]::new));
        return rows.stream().map(row -> view(row, access(state, row).orElse(PresetAccess.USE), knowledge))
                .toList();
    }

    private void lockKnowledge(PresetKnowledge knowledge) {
        if (!store.keyShareKnowledge(knowledge)) {
            throw deletedMeanwhile();
        }
    }

    private static AtriumException deletedMeanwhile() {
        return AtriumException.notFound("collection_not_found", "A collection or file of the preset's knowledge was"
                + " deleted meanwhile.");
    }

    private void replaceKnowledge(UUID presetId, PresetKnowledge knowledge) {
        try {
            store.replaceKnowledge(presetId, knowledge);
        } catch (DataIntegrityViolationException deleted) {
            throw deletedMeanwhile();
        }
    }

    /** Checks that the caller may read every collection and file; before the write, in their own transactions. */
    private PresetKnowledge readable(EffectiveState state, PresetKnowledge knowledge) {
        if (knowledge.collectionIds().size() > PresetKnowledge.MAX_COLLECTIONS) {
            throw AtriumException.invalidField("knowledge.collectionIds", "must hold at most "
                    + PresetKnowledge.MAX_COLLECTIONS + " collections");
        }
        if (knowledge.fileIds().size() > PresetKnowledge.MAX_FILES) {
            throw AtriumException.invalidField("knowledge.fileIds", "must hold at most " + PresetKnowledge.MAX_FILES
                    + " files");
        }
        if (new HashSet<>(knowledge.collectionIds()).size() != knowledge.collectionIds().size()
                || new HashSet<>(knowledge.fileIds()).size() != knowledge.fileIds().size()) {
            throw AtriumException.invalidField("knowledge", "must not name a collection or file twice");
        }
        knowledge.collectionIds().forEach(id -> collections.get(state, id));
        knowledge.fileIds().forEach(id -> files.get(state, id));
        return knowledge;
    }

    /** The parameters that are set, as stored. */
    private String parameters(AnswerParameters parameters) {
        return json.writeValueAsString(parameters.set());
    }

    /** Account first, then the owning group (docs/ARCHITECTURE.md, lock order), as a deletion of either takes them. */
    private void lockOwners(Caller caller, @Nullable UUID groupId) {
        lockCaller(caller);
        if (groupId != null && !store.keyShareGroup(groupId)) {
            throw groupNotFound();
        }
    }

    private void lockCaller(Caller caller) {
        if (!store.keyShareUser(caller.userId())) {
            throw new AtriumException(HttpStatus.UNAUTHORIZED, "invalid_credentials",
                    "The account this request was made with has been deleted.");
        }
    }

    /** Manage access, or 404 when the caller may not see the preset and 403 when they may only use it. */
    private static void require(EffectiveState state, PresetStore.Row row) {
        PresetAccess access = access(state, row).orElseThrow(PresetService::notFound);
        if (access != PresetAccess.MANAGE) {
            throw AtriumException.forbidden("forbidden", "You may use this preset; changing or deleting it is for"
                    + " its owner and the group's admins.");
        }
    }

    private static Optional<PresetAccess> access(EffectiveState state, PresetStore.Row row) {
        Caller caller = state.caller();
        if (caller.isAdmin() || caller.userId().equals(row.ownerUserId())) {
            return Optional.of(PresetAccess.MANAGE);
        }
        return row.ownerGroupId() == null ? Optional.empty() : groupRole(state, row.ownerGroupId())
                .map(role -> role == GroupRole.ADMIN ? PresetAccess.MANAGE : PresetAccess.USE);
    }

    private static Optional<GroupRole> groupRole(EffectiveState state, UUID groupId) {
        return state.groups().stream().filter(m -> m.groupId().equals(groupId))
                .map(AccessProfile.Membership::role).findFirst();
    }

    private static UUID[] groupIds(EffectiveState state) {
        return state.groups().stream().map(AccessProfile.Membership::groupId).toArray(UUID[]::new);
    }

    private Preset view(PresetStore.Row row, PresetAccess access, Map<UUID, PresetKnowledge> knowledge) {
        return new Preset(row.id(), Preset.modelId(row.id()), row.name(), row.ownerUserId(), row.ownerGroupId(),
                row.baseModel(), row.systemPrompt(), json.readValue(row.parameters(), AnswerParameters.class),
                knowledge.getOrDefault(row.id(), PresetKnowledge.NONE), row.fallbackModels(), access,
                row.createdAt(), row.updatedAt());
    }

    static AtriumException notFound() {
        return AtriumException.notFound("preset_not_found", "No such preset.");
    }

    private static AtriumException groupNotFound() {
        return AtriumException.notFound("group_not_found", "No such group.");
    }
}
