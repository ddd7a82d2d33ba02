package org.atrium.chat.presets;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Presets over HTTP: create, list, read, change, delete; who may do what; validation; what deletions leave. */
class PresetApiTest extends IntegrationTest {

    private static final String PRESETS = "/api/v1/presets";

    @Autowired
    private PresetStore store;

    @Autowired
    private DataSource dataSource;

    private static Map<String, Object> preset(String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("baseModel", "gw/base");
        return body;
    }

    private String created(Map<String, Object> body, TestUsers.Account as) {
        Api.Response created = api.post(PRESETS, body, as.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    private static void assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.json().path("code").asString()).as(response.text()).isEqualTo(code);
    }

    private List<String> listIds(TestUsers.Account as) {
        List<String> ids = new ArrayList<>();
        int offset = 0;
        while (true) {
            Api.Response page = api.get(PRESETS + "?limit=200&offset=" + offset, as.token());
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            page.json().path("items").forEach(item -> ids.add(item.path("id").asString()));
            offset += 200;
            if (offset >= page.json().path("total").asLong()) {
                return ids;
            }
        }
    }

    @Test
    void aPersonalPresetIsCreatedReadChangedAndDeletedByItsOwnerOnly() {
        TestUsers.Account owner = users.user();
        TestUsers.Account outsider = users.user();
        TestUsers.Account admin = users.admin();
        Map<String, Object> body = preset("  Careful writer  ");
        body.put("systemPrompt", "Write carefully.");
        body.put("parameters", Map.of("temperature", 0.3, "maxTokens", 300, "stop", List.of("END")));
        body.put("fallbackModels", List.of("gw/backup", "other/model"));

        Api.Response created = api.post(PRESETS, body, owner.token());

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode json = created.json();
        String id = json.path("id").asString();
        assertThat(json.path("model").asString()).isEqualTo("preset:" + id);
        assertThat(json.path("name").asString()).isEqualTo("Careful writer");
        assertThat(json.path("ownerUserId").asString()).isEqualTo(owner.id().toString());
        assertThat(json.path("baseModel").asString()).isEqualTo("gw/base");
        assertThat(json.path("systemPrompt").asString()).isEqualTo("Write carefully.");
        assertThat(json.path("parameters").path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(json.path("parameters").path("maxTokens").asInt()).isEqualTo(300);
        assertThat(json.path("parameters").path("stop").get(0).asString()).isEqualTo("END");
        assertThat(json.path("fallbackModels").toString()).isEqualTo("[\"gw/backup\",\"other/model\"]");
        assertThat(json.path("access").asString()).isEqualTo("manage");

        assertThat(listIds(owner)).contains(id);
        assertThat(listIds(admin)).contains(id);
        assertThat(listIds(outsider)).doesNotContain(id);
        assertProblem(api.get(PRESETS + "/" + id, outsider.token()), 404, "preset_not_found");
        assertProblem(api.patch(PRESETS + "/" + id, Map.of("name", "mine now"), outsider.token()), 404,
                "preset_not_found");
        assertProblem(api.delete(PRESETS + "/" + id, outsider.token()), 404, "preset_not_found");
        assertThat(api.get(PRESETS + "/" + id, admin.token()).json().path("access").asString()).isEqualTo("manage");

        Api.Response changed = api.patch(PRESETS + "/" + id, Map.of("systemPrompt", "Write briefly.",
                "parameters", Map.of("topP", 0.5), "fallbackModels", List.of()), owner.token());
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(changed.json().path("name").asString()).as("kept").isEqualTo("Careful writer");
        assertThat(changed.json().path("systemPrompt").asString()).isEqualTo("Write briefly.");
        assertThat(changed.json().path("parameters").path("topP").asDouble()).isEqualTo(0.5);
        assertThat(changed.json().path("parameters").path("temperature").isNull()).as("replaced as a whole").isTrue();
        assertThat(changed.json().path("fallbackModels").size()).isZero();

        assertThat(api.delete(PRESETS + "/" + id, owner.token()).status()).isEqualTo(204);
        assertProblem(api.get(PRESETS + "/" + id, owner.token()), 404, "preset_not_found");
        assertThat(api.delete(PRESETS + "/" + id, owner.token()).status()).as("gone already").isEqualTo(204);
    }

    @Test
    void aGroupPresetIsUsedByMembersAndManagedByTheGroupsAdmins() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account groupAdmin = users.user();
        TestUsers.Account member = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "presets");
        users.member(admin, group, groupAdmin, "admin");
        users.member(admin, group, member, "member");
        Map<String, Object> body = preset("Team helper");
        body.put("groupId", group.toString());

        assertProblem(api.post(PRESETS, body, member.token()), 403, "forbidden");
        assertProblem(api.post(PRESETS, body, outsider.token()), 404, "group_not_found");
        String id = created(body, groupAdmin);

        JsonNode seen = api.get(PRESETS + "/" + id, member.token()).json();
        assertThat(seen.path("ownerGroupId").asString()).isEqualTo(group.toString());
        assertThat(seen.path("access").asString()).isEqualTo("use");
        assertThat(listIds(member)).contains(id);
        assertProblem(api.patch(PRESETS + "/" + id, Map.of("name", "hijacked"), member.token()), 403, "forbidden");
        assertProblem(api.delete(PRESETS + "/" + id, member.token()), 403, "forbidden");
        assertProblem(api.get(PRESETS + "/" + id, outsider.token()), 404, "preset_not_found");
        assertThat(listIds(outsider)).doesNotContain(id);

        Api.Response renamed = api.patch(PRESETS + "/" + id, Map.of("name", "Team helper 2"), groupAdmin.token());
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        assertThat(renamed.json().path("access").asString()).isEqualTo("manage");

        assertThat(api.delete("/api/v1/groups/" + group + "/members/" + member.id(), admin.token()).status())
                .isEqualTo(204);
        assertProblem(api.get(PRESETS + "/" + id, member.token()), 404, "preset_not_found");

        assertThat(api.delete(PRESETS + "/" + id, groupAdmin.token()).status()).isEqualTo(204);
        assertProblem(api.get(PRESETS + "/" + id, admin.token()), 404, "preset_not_found");
    }

    @Test
    void invalidPresetsAreRefusedWithTheFieldAtFault() {
        TestUsers.Account owner = users.user();
        List<Map<String, Object>> invalid = new ArrayList<>();
        invalid.add(Map.of("baseModel", "gw/base"));
        invalid.add(Map.of("name", "x", "baseModel", "no-slash"));
        invalid.add(Map.of("name", "x", "baseModel", "preset:" + UUID.randomUUID()));
        invalid.add(Map.of("name", "x".repeat(201), "baseModel", "gw/base"));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "systemPrompt", "p".repeat(20_001)));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "parameters", Map.of("temperature", 3)));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "parameters", Map.of("stop",
                List.of("a", "b", "c", "d", "e"))));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "fallbackModels",
                List.of("a/1", "a/2", "a/3", "a/4")));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "fallbackModels", List.of("gw/base")));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "fallbackModels", List.of("a/1", "a/1")));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "knowledge", Map.of("collectionIds",
                java.util.stream.IntStream.range(0, 11).mapToObj(i -> UUID.randomUUID()).toList())));
        invalid.add(Map.of("name", "x", "baseModel", "gw/base", "knowledge", Map.of("fileIds",
                java.util.stream.IntStream.range(0, 21).mapToObj(i -> UUID.randomUUID()).toList())));
        for (Map<String, Object> body : invalid) {
            assertProblem(api.post(PRESETS, body, owner.token()), 400, "validation_failed");
        }
        String id = created(preset("valid"), owner);
        assertProblem(api.patch(PRESETS + "/" + id, Map.of("name", " "), owner.token()), 400, "validation_failed");
        assertProblem(api.patch(PRESETS + "/" + id, Map.of("fallbackModels", List.of("gw/base")), owner.token()),
                400, "validation_failed");
        assertProblem(api.patch(PRESETS + "/" + id, Map.of("baseModel", "bad"), owner.token()), 400,
                "validation_failed");
        assertProblem(api.get(PRESETS + "?limit=201", owner.token()), 400, "validation_failed");
        assertThat(api.get(PRESETS + "/" + id, owner.token()).json().path("name").asString()).isEqualTo("valid");
    }

    @Test
    void knowledgeMustBeReadableAndADeletedCollectionDropsOutOfThePreset() {
        TestUsers.Account owner = users.user();
        TestUsers.Account other = users.user();
        Api.Response collection = api.post("/api/v1/collections", Map.of("name", "mine"), owner.token());
        assertThat(collection.status()).as(collection.text()).isEqualTo(201);
        String collectionId = collection.json().path("id").asString();
        Api.Response kept = api.post("/api/v1/collections", Map.of("name", "kept"), owner.token());
        String keptId = kept.json().path("id").asString();
        Map<String, Object> body = preset("grounded");
        body.put("knowledge", Map.of("collectionIds", List.of(collectionId, keptId)));

        assertProblem(api.post(PRESETS, body, other.token()), 404, "collection_not_found");
        Map<String, Object> withFile = preset("grounded");
        withFile.put("knowledge", Map.of("fileIds", List.of(UUID.randomUUID())));
        assertProblem(api.post(PRESETS, withFile, owner.token()), 404, "file_not_found");
        String id = created(body, owner);
        assertThat(api.get(PRESETS + "/" + id, owner.token()).json().path("knowledge").path("collectionIds")
                .toString()).isEqualTo("[\"" + collectionId + "\",\"" + keptId + "\"]");

        assertThat(api.delete("/api/v1/collections/" + collectionId, owner.token()).status()).isEqualTo(204);

        Api.Response after = api.get(PRESETS + "/" + id, owner.token());
        assertThat(after.status()).as(after.text()).isEqualTo(200);
        assertThat(after.json().path("knowledge").path("collectionIds").toString()).isEqualTo("[\"" + keptId + "\"]");
    }

    @Test
    void anOwnerHoldsAtMostAHundredPresets() {
        TestUsers.Account owner = users.user();
        jdbc.sql("""
                        insert into presets (id, name, owner_user_id, base_model)
                        select gen_random_uuid(), 'bulk ' || n, :owner, 'gw/base' from generate_series(1, 100) n""")
                .param("owner", owner.id()).update();

        assertProblem(api.post(PRESETS, preset("one too many"), owner.token()), 409, "too_many_presets");
        assertThat(api.get(PRESETS + "?limit=1", owner.token()).json().path("total").asLong()).isEqualTo(100);
    }

    @Test
    void knowledgeDeletedBetweenTheCheckAndTheWriteIsFoundMissingUnderItsLock() {
        TestUsers.Account owner = users.user();
        Api.Response collection = api.post("/api/v1/collections", Map.of("name", "here"), owner.token());
        UUID existing = UUID.fromString(collection.json().path("id").asString());

        assertThat(store.keyShareKnowledge(new PresetKnowledge(List.of(existing), List.of()))).isTrue();
        assertThat(store.keyShareKnowledge(new PresetKnowledge(List.of(existing, UUID.randomUUID()), List.of())))
                .isFalse();
        assertThat(store.keyShareKnowledge(new PresetKnowledge(List.of(existing), List.of(UUID.randomUUID()))))
                .isFalse();
    }

    @Test
    void aPresetForAGroupThatDoesNotExistIsRefusedEvenToInstanceAdmins() {
        Map<String, Object> body = preset("orphan");
        body.put("groupId", UUID.randomUUID().toString());

        assertProblem(api.post(PRESETS, body, users.admin().token()), 404, "group_not_found");
    }

    @Test
    void aPresetWriteWhoseCallerIsDeletedMeanwhileAnswers401AndKeepsNothing() throws Exception {
        TestUsers.Account owner = users.user();
        String name = "late " + UUID.randomUUID();

        Api.Response answer;
        try (Connection deleting = dataSource.getConnection()) {
            deleting.setAutoCommit(false);
            try (PreparedStatement delete = deleting.prepareStatement("delete from users where id = ?")) {
                delete.setObject(1, owner.id());
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
            CompletableFuture<Api.Response> running = CompletableFuture.supplyAsync(() -> api.post(PRESETS,
                    preset(name), owner.token()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (waitingForLocks() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(running).as("the write waits for the deletion").isNotDone();
            deleting.commit();
            answer = running.get(30, TimeUnit.SECONDS);
        }

        assertProblem(answer, 401, "invalid_credentials");
        assertThat(jdbc.sql("select count(*) from presets where name = :n").param("n", name).query(Long.class)
                .single()).isZero();
    }

    private long waitingForLocks() {
        return jdbc.sql("select count(*) from pg_stat_activity where datname = current_database()"
                + " and wait_event_type = 'Lock'").query(Long.class).single();
    }

    @Test
    void deletingTheOwningUserOrGroupDeletesTheirPresets() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account owner = users.user();
        UUID group = users.group(admin, "doomed");
        String personal = created(preset("personal"), owner);
        Map<String, Object> body = preset("group's");
        body.put("groupId", group.toString());
        String groups = created(body, admin);
        Api.Response collection = api.post("/api/v1/collections", Map.of("name", "c"), owner.token());
        Map<String, Object> grounded = preset("grounded");
        grounded.put("knowledge", Map.of("collectionIds", List.of(collection.json().path("id").asString())));
        String groundedId = created(grounded, owner);

        assertThat(api.delete("/api/v1/users/" + owner.id(), admin.token()).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/groups/" + group, admin.token()).status()).isEqualTo(204);

        for (String id : List.of(personal, groups, groundedId)) {
            assertProblem(api.get(PRESETS + "/" + id, admin.token()), 404, "preset_not_found");
        }
        assertThat(jdbc.sql("select count(*) from presets where id in (:a, :b, :c)")
                .param("a", UUID.fromString(personal)).param("b", UUID.fromString(groups))
                .param("c", UUID.fromString(groundedId)).query(Integer.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from preset_knowledge where preset_id = :p")
                .param("p", UUID.fromString(groundedId)).query(Integer.class).single()).isZero();
    }
}
