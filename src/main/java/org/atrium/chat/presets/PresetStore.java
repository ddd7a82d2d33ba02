package org.atrium.chat.presets;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code presets} and {@code preset_knowledge}. */
@Repository
class PresetStore {

    /** A preset row; the parameters as JSON text. */
    record Row(UUID id, String name, @Nullable UUID ownerUserId, @Nullable UUID ownerGroupId, String baseModel,
               String systemPrompt, String parameters, List<String> fallbackModels, Instant createdAt,
               Instant updatedAt) {
    }

    private static final String COLUMNS = """
            p.id, p.name, p.owner_user_id, p.owner_group_id, p.base_model, p.system_prompt,
            p.parameters::text as parameters, p.fallback_models, p.created_at, p.updated_at""";

    /** Presets the caller may see: own, their groups', or any for instance admins. */
    private static final String VISIBLE = "(:admin or p.owner_user_id = :user or p.owner_group_id = any(:groups))";

    private final JdbcClient jdbc;

    PresetStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return false when the account no longer exists; a key-share lock on it otherwise (the first lock) */
    boolean keyShareUser(UUID userId) {
        return jdbc.sql("select id from users where id = :u for key share").param("u", userId).query(UUID.class)
                .optional().isPresent();
    }

    /** @return false when the group no longer exists; a key-share lock on it otherwise (after the account's) */
    boolean keyShareGroup(UUID groupId) {
        return jdbc.sql("select id from groups where id = :g for key share").param("g", groupId).query(UUID.class)
                .optional().isPresent();
    }

    /**
     * Takes key-share locks on the collections and then the files a preset is about to name, in id order, before the
     * preset's row and links (docs/ARCHITECTURE.md, lock order): a concurrent deletion of one of them then waits for
     * this write, or this write for it and finds it gone.
     *
     * @return false when one of them no longer exists
     */
    boolean keyShareKnowledge(PresetKnowledge knowledge) {
        UUID[] collections = knowledge.collectionIds().stream().sorted().toArray(UUID[]::new);
        UUID[] files = knowledge.fileIds().stream().sorted().toArray(UUID[]::new);
        int found = collections.length == 0 ? 0
                : jdbc.sql("select id from collections where id = any(:ids) order by id for key share")
                .param("ids", collections).query(UUID.class).list().size();
        found += files.length == 0 ? 0
                : jdbc.sql("select id from files where id = any(:ids) order by id for key share")
                .param("ids", files).query(UUID.class).list().size();
        return found == collections.length + files.length;
    }

    /** Serialises the creations of one owner's presets until the transaction ends, so that the bound holds. */
    void lockOwner(UUID owner) {
        jdbc.sql("select pg_advisory_xact_lock(hashtextextended(:key, 0))").param("key", "presets:" + owner)
                .query().singleValue();
    }

    int countOwned(@Nullable UUID userId, @Nullable UUID groupId) {
        return jdbc.sql("select count(*) from presets where owner_user_id = :u or owner_group_id = :g")
                .param("u", userId).param("g", groupId).query(Integer.class).single();
    }

    void insert(UUID id, String name, @Nullable UUID ownerUserId, @Nullable UUID ownerGroupId, String baseModel,
                String systemPrompt, String parameters, List<String> fallbackModels) {
        jdbc.sql("""
                        insert into presets (id, name, owner_user_id, owner_group_id, base_model, system_prompt,
                                             parameters, fallback_models)
                        values (:id, :name, :u, :g, :base, :prompt, cast(:parameters as jsonb), :fallbacks)""")
                .param("id", id).param("name", name).param("u", ownerUserId).param("g", ownerGroupId)
                .param("base", baseModel).param("prompt", systemPrompt).param("parameters", parameters)
                .param("fallbacks", fallbackModels.toArray(String[]::new)).update();
    }

    void update(UUID id, String name, String baseModel, String systemPrompt, String parameters,
                List<String> fallbackModels) {
        jdbc.sql("""
                        update presets set name = :name, base_model = :base, system_prompt = :prompt,
                               parameters = cast(:parameters as jsonb), fallback_models = :fallbacks,
                               updated_at = now()
                        where id = :id""")
                .param("id", id).param("name", name).param("base", baseModel).param("prompt", systemPrompt)
                .param("parameters", parameters).param("fallbacks", fallbackModels.toArray(String[]::new)).update();
    }

    /**
     * Replaces a preset's knowledge links. The foreign keys take key-share locks on the collections and files; one
     * deleted meanwhile makes the insert fail.
     */
    void replaceKnowledge(UUID presetId, PresetKnowledge knowledge) {
        jdbc.sql("delete from preset_knowledge where preset_id = :p").param("p", presetId).update();
        int position = 0;
        for (UUID collection : knowledge.collectionIds()) {
            jdbc.sql("insert into preset_knowledge (preset_id, position, collection_id) values (:p, :n, :c)")
                    .param("p", presetId).param("n", position++).param("c", collection).update();
        }
        for (UUID file : knowledge.fileIds()) {
            jdbc.sql("insert into preset_knowledge (preset_id, position, file_id) values (:p, :n, :f)")
                    .param("p", presetId).param("n", position++).param("f", file).update();
        }
    }

    /** @return the preset, whoever may see it; locked for a change when {@code lock} */
    Optional<Row> find(UUID id, boolean lock) {
        return jdbc.sql("select " + COLUMNS + " from presets p where p.id = :id" + (lock ? " for update" : ""))
                .param("id", id).query(PresetStore::row).optional();
    }

    List<Row> visible(boolean admin, UUID user, UUID[] groups, int offset, int limit) {
        return jdbc.sql("select " + COLUMNS + " from presets p where " + VISIBLE
                        + " order by lower(p.name), p.id offset :offset limit :limit")
                .param("admin", admin).param("user", user).param("groups", groups).param("offset", offset)
                .param("limit", limit).query(PresetStore::row).list();
    }

    long countVisible(boolean admin, UUID user, UUID[] groups) {
        return jdbc.sql("select count(*) from presets p where " + VISIBLE).param("admin", admin)
                .param("user", user).param("groups", groups).query(Long.class).single();
    }

    /** @return the presets the caller may answer with from the model list: own and their groups', by name */
    List<Row> usable(UUID user, UUID[] groups, int limit) {
        return jdbc.sql("select " + COLUMNS + """
                         from presets p where p.owner_user_id = :user or p.owner_group_id = any(:groups)
                        order by lower(p.name), p.id limit :limit""")
                .param("user", user).param("groups", groups).param("limit", limit).query(PresetStore::row).list();
    }

    /** @return the knowledge of each preset given, by id; presets without knowledge are absent */
    Map<UUID, PresetKnowledge> knowledge(UUID[] presetIds) {
        Map<UUID, List<UUID>> collections = new HashMap<>();
        Map<UUID, List<UUID>> files = new HashMap<>();
        jdbc.sql("""
                        select preset_id, collection_id, file_id from preset_knowledge
                        where preset_id = any(:ids) order by preset_id, position""")
                .param("ids", presetIds).query(rs -> {
                    UUID preset = rs.getObject("preset_id", UUID.class);
                    UUID collection = rs.getObject("collection_id", UUID.class);
                    if (collection != null) {
                        collections.computeIfAbsent(preset, p -> new ArrayList<>()).add(collection);
                    } else {
                        files.computeIfAbsent(preset, p -> new ArrayList<>())
                                .add(rs.getObject("file_id", UUID.class));
                    }
                });
        Map<UUID, PresetKnowledge> knowledge = new HashMap<>();
        for (UUID id : presetIds) {
            if (collections.containsKey(id) || files.containsKey(id)) {
                knowledge.put(id, new PresetKnowledge(collections.getOrDefault(id, List.of()),
                        files.getOrDefault(id, List.of())));
            }
        }
        return knowledge;
    }

    void delete(UUID id) {
        jdbc.sql("delete from presets where id = :id").param("id", id).update();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        Array fallbacks = rs.getArray("fallback_models");
        return new Row(rs.getObject("id", UUID.class), rs.getString("name"),
                rs.getObject("owner_user_id", UUID.class), rs.getObject("owner_group_id", UUID.class),
                rs.getString("base_model"), rs.getString("system_prompt"), rs.getString("parameters"),
                List.of((String[]) fallbacks.getArray()), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
