package org.atrium.settings;

import org.atrium.accounts.Caller;
import org.atrium.accounts.GroupService;
import org.atrium.accounts.Permission;
import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The three settings layers: instance defaults (instance admins), group settings (instance admins and the group's
 * admins) and user overrides (the user, when a layer grants {@code overrideSettings}; instance admins always). Each
 * write replaces the whole layer and raises its cache scope, so every replica serves the new effective state from
 * the next request.
 */
@Service
public class SettingsService {

    private static final Logger log = LoggerFactory.getLogger(SettingsService.class);

    private final SettingsStore store;
    private final GroupService groups;
    private final Invalidation invalidation;

    SettingsService(SettingsStore store, GroupService groups, Invalidation invalidation) {
        this.store = store;
        this.groups = groups;
        this.invalidation = invalidation;
    }

    /**
     * @param caller an instance admin
     * @return the instance layer
     * @throws AtriumException {@code admin_required} (403)
     */
    @Transactional(readOnly = true)
    public ObjectNode instance(Caller caller) {
        caller.requireAdmin();
        return store.instance();
    }

    /**
     * Replaces the instance layer.
     *
     * @param caller   an instance admin
     * @param settings setting key to value; absent or null keys fall back to built-in defaults
     * @return the stored layer
     * @throws AtriumException {@code admin_required} (403), {@code validation_failed} (400)
     */
    @Transactional
    public ObjectNode replaceInstance(Caller caller, ObjectNode settings) {
        caller.requireAdmin();
        ObjectNode clean = validate(settings, false, true);
        store.saveInstance(clean);
        invalidation.changed(Scope.INSTANCE);
        LogEvents.info(log, "settings.instance.changed").addKeyValue("keys", clean.size()).log();
        return clean;
    }

    /**
     * @param caller  an instance admin or an admin of the group
     * @param groupId the group
     * @return the group's layer
     * @throws AtriumException {@code group_not_found} (404), {@code forbidden} (403)
     */
    @Transactional(readOnly = true)
    public ObjectNode group(Caller caller, UUID groupId) {
        groups.requireGroupAdmin(caller, groupId);
        return store.group(groupId);
    }

    /**
     * Replaces a group's layer and, for instance admins, its priority.
     *
     * @param caller   an instance admin or an admin of the group
     * @param groupId  the group
     * @param settings setting key to value
     * @param priority the new priority, or {@code null} to keep it (only instance admins may change it)
     * @return the stored layer
     * @throws AtriumException {@code group_not_found} (404), {@code forbidden} or {@code admin_required} (403),
     *                         {@code validation_failed} (400)
     */
    @Transactional
    public ObjectNode replaceGroup(Caller caller, UUID groupId, ObjectNode settings, @Nullable Integer priority) {
        groups.requireGroupAdmin(caller, groupId);
        if (priority != null) {
            caller.requireAdmin();
        }
        ObjectNode clean = validate(settings, false, false);
        if (priority != null) {
            groups.setPriority(caller, groupId, priority);
        }
        store.saveGroup(groupId, clean);
        invalidation.changed(Scope.group(groupId));
        LogEvents.info(log, "settings.group.changed").addKeyValue("group_id", groupId)
                .addKeyValue("keys", clean.size()).log();
        return clean;
    }

    /**
     * @param caller the user
     * @return the user's overrides
     */
    @Transactional(readOnly = true)
    public ObjectNode user(Caller caller) {
        return store.user(caller.userId());
    }

    /**
     * Replaces the caller's overrides.
     *
     * @param caller   the user, who needs the {@code overrideSettings} permission
     * @param settings overridable setting keys to values
     * @return the stored overrides
     * @throws AtriumException {@code permission_denied} (403), {@code validation_failed} (400)
     */
    @Transactional
    public ObjectNode replaceUser(Caller caller, ObjectNode settings) {
        caller.require(Permission.OVERRIDE_SETTINGS);
        ObjectNode clean = validate(settings, true, false);
        store.saveUser(caller.userId(), clean);
        invalidation.changed(Scope.user(caller.userId()));
        LogEvents.info(log, "settings.user.changed").addKeyValue("keys", clean.size()).log();
        return clean;
    }

    /** Checks every key and value; nulls are dropped (a null means "not set in this layer"). */
    private static ObjectNode validate(ObjectNode settings, boolean userLayer, boolean instanceLayer) {
        ObjectNode clean = settings.objectNode();
        for (Map.Entry<String, JsonNode> entry : settings.properties()) {
            Optional<SettingKey> key = SettingKey.of(entry.getKey());
            if (key.isEmpty()) {
                throw AtriumException.invalidField(entry.getKey(), "is not a known setting");
            }
            if (userLayer && !key.get().userOverridable()) {
                throw AtriumException.invalidField(entry.getKey(), "cannot be overridden by users");
            }
            if (!instanceLayer && key.get().instanceOnly()) {
                throw AtriumException.invalidField(entry.getKey(), "can only be set for the whole instance");
            }
            Optional<String> problem = key.get().check(entry.getValue());
            if (problem.isPresent()) {
                throw AtriumException.invalidField(entry.getKey(), problem.get());
            }
            if (!entry.getValue().isNull()) {
                clean.set(entry.getKey(), entry.getValue());
            }
        }
        return clean;
    }
}
