package org.atrium.settings;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** SQL for the three settings layers. A layer is a JSON object of setting keys to values. */
@Repository
class SettingsStore {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    SettingsStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    ObjectNode instance() {
        return jdbc.sql("select settings::text from instance_settings").query(String.class).optional()
                .map(this::parse).orElseGet(json::createObjectNode);
    }

    ObjectNode group(UUID groupId) {
        return jdbc.sql("select settings::text from group_settings where group_id = :id").param("id", groupId)
                .query(String.class).optional().map(this::parse).orElseGet(json::createObjectNode);
    }

    Map<UUID, ObjectNode> groups(Collection<UUID> groupIds) {
        Map<UUID, ObjectNode> layers = new HashMap<>();
        if (groupIds.isEmpty()) {
            return layers;
        }
        jdbc.sql("select group_id, settings::text as settings from group_settings where group_id = any(:ids)")
                .param("ids", groupIds.toArray(UUID[]::new))
                .query((rs, row) -> Map.entry(rs.getObject("group_id", UUID.class), parse(rs.getString("settings"))))
                .list().forEach(entry -> layers.put(entry.getKey(), entry.getValue()));
        return layers;
    }

    ObjectNode user(UUID userId) {
        return jdbc.sql("select settings::text from user_settings where user_id = :id").param("id", userId)
                .query(String.class).optional().map(this::parse).orElseGet(json::createObjectNode);
    }

    void saveInstance(ObjectNode settings) {
        jdbc.sql("update instance_settings set settings = cast(:settings as jsonb), updated_at = now()")
                .param("settings", json.writeValueAsString(settings)).update();
    }

    void saveGroup(UUID groupId, ObjectNode settings) {
        jdbc.sql("""
                        insert into group_settings (group_id, settings) values (:id, cast(:settings as jsonb))
                        on conflict (group_id) do update set settings = excluded.settings, updated_at = now()""")
                .param("id", groupId).param("settings", json.writeValueAsString(settings)).update();
    }

    void saveUser(UUID userId, ObjectNode settings) {
        jdbc.sql("""
                        insert into user_settings (user_id, settings) values (:id, cast(:settings as jsonb))
                        on conflict (user_id) do update set settings = excluded.settings, updated_at = now()""")
                .param("id", userId).param("settings", json.writeValueAsString(settings)).update();
    }

    private ObjectNode parse(String text) {
        return (ObjectNode) json.readTree(text);
    }
}
