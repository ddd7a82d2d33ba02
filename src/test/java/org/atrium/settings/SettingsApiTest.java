package org.atrium.settings;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three settings layers over HTTP, and the effective state they produce, current from the very next request.
 *
 * <p>Instance settings are global to the shared database: every test that changes them restores them in a
 * {@code finally} block, and tests set explicitly whatever instance value their assertions depend on.
 */
class SettingsApiTest extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INSTANCE = "/api/v1/settings/instance";
    private static final String MY_SETTINGS = "/api/v1/me/settings";
    private static final String MY_STATE = "/api/v1/me/effective-state";

    // ---------------------------------------------------------------- layers round-trip

    @Test
    void instanceLayerRoundTripsDropsNullsAndIsAdminOnly() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        ObjectNode original = instanceLayer(admin);
        try {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("systemPrompt", "Be brief.");
            settings.put("allowedModels", List.of("gpt-4o", "claude"));
            settings.put("quotas.tokensPerDay", 5000);
            settings.put("features.autocompletion", true);
            settings.put("defaultModel", null);

            Api.Response written = api.put(INSTANCE, Map.of("settings", settings), admin.token());

            assertThat(written.status()).as(written.text()).isEqualTo(200);
            JsonNode expected = JSON.readTree("""
                    {"systemPrompt": "Be brief.", "allowedModels": ["gpt-4o", "claude"],
                     "quotas.tokensPerDay": 5000, "features.autocompletion": true}""");
            assertThat(written.json().path("settings")).isEqualTo(expected);
            Api.Response read = api.get(INSTANCE, admin.token());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().path("settings")).isEqualTo(expected);

            Api.Response userRead = api.get(INSTANCE, user.token());
            Api.Response userWrite = api.put(INSTANCE, Map.of("settings", Map.of()), user.token());
            assertThat(userRead.status()).isEqualTo(403);
            assertThat(userRead.json().path("code").asString()).isEqualTo("admin_required");
            assertThat(userWrite.status()).isEqualTo(403);
            assertThat(userWrite.json().path("code").asString()).isEqualTo("admin_required");
            assertThat(api.get(INSTANCE, admin.token()).json().path("settings")).isEqualTo(expected);
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void groupLayerRoundTripsWithItsPriority() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "layer");

        Api.Response written = putGroup(admin, group, Map.of("defaultModel", "gpt-4o",
                "allowedModels", List.of("gpt-4o"), "features.titleGeneration", false), 7);

        assertThat(written.status()).as(written.text()).isEqualTo(200);
        Api.Response read = api.get(groupSettings(group), admin.token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("settings")).isEqualTo(JSON.readTree("""
                {"defaultModel": "gpt-4o", "allowedModels": ["gpt-4o"], "features.titleGeneration": false}"""));
        assertThat(api.get("/api/v1/groups/" + group, admin.token()).json().path("priority").asInt())
                .isEqualTo(7);

        Api.Response cleared = putGroup(admin, group, Map.of(), null);
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(api.get(groupSettings(group), admin.token()).json().path("settings").size()).isZero();
        assertThat(api.get("/api/v1/groups/" + group, admin.token()).json().path("priority").asInt())
                .as("an omitted priority is kept").isEqualTo(7);
    }

    @Test
    void userLayerRoundTripsWhenTheirGroupGrantsOverriding() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "overriders");
        users.member(admin, group, user, "member");
        assertThat(putGroup(admin, group, Map.of("permissions.overrideSettings", true), null).status())
                .isEqualTo(200);

        Api.Response written = api.put(MY_SETTINGS, Map.of("settings",
                Map.of("defaultModel", "my-model", "systemPrompt", "Talk like a pirate.",
                        "features.titleGeneration", false)), user.token());

        assertThat(written.status()).as(written.text()).isEqualTo(200);
        JsonNode expected = JSON.readTree("""
                {"defaultModel": "my-model", "systemPrompt": "Talk like a pirate.",
                 "features.titleGeneration": false}""");
        assertThat(written.json().path("settings")).isEqualTo(expected);
        Api.Response read = api.get(MY_SETTINGS, user.token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("settings")).isEqualTo(expected);
        JsonNode state = state(user);
        assertThat(setting(state, "defaultModel").path("value").asString()).isEqualTo("my-model");
        assertThat(setting(state, "defaultModel").path("source").asString()).isEqualTo("user");
        assertThat(setting(state, "features.titleGeneration").path("source").asString()).isEqualTo("user");
    }

    // ---------------------------------------------------------------- validation

    @Test
    void unknownKeyIsRefusedNamingItOnEveryLayerAndNothingIsStored() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "unknown-key");
        users.member(admin, group, user, "member");
        setGroup(admin, group, Map.of("permissions.overrideSettings", true, "defaultModel", "kept"), null);
        ObjectNode instanceBefore = instanceLayer(admin);

        Api.Response instance = api.put(INSTANCE, Map.of("settings",
                Map.of("systemPrompt", "changed?", "features.teleportation", true)), admin.token());
        Api.Response groupLayer = putGroup(admin, group, Map.of("defaultModel", "changed?", "colour", "blue"), null);
        Api.Response userLayer = api.put(MY_SETTINGS, Map.of("settings", Map.of("favouriteFood", "soup")),
                user.token());

        assertValidationFailed(instance, "features.teleportation");
        assertValidationFailed(groupLayer, "colour");
        assertValidationFailed(userLayer, "favouriteFood");
        assertThat(instanceLayer(admin)).isEqualTo(instanceBefore);
        assertThat(api.get(groupSettings(group), admin.token()).json().path("settings").path("defaultModel")
                .asString()).isEqualTo("kept");
        assertThat(api.get(MY_SETTINGS, user.token()).json().path("settings").size()).isZero();
    }

    @Test
    void wronglyTypedValueIsRefusedNamingTheKey() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "types");
        ObjectNode instanceBefore = instanceLayer(admin);

        assertValidationFailed(putGroup(admin, group, Map.of("features.autocompletion", "yes"), null),
                "features.autocompletion");
        assertValidationFailed(putGroup(admin, group, Map.of("quotas.tokensPerDay", -1), null),
                "quotas.tokensPerDay");
        assertValidationFailed(putGroup(admin, group, Map.of("quotas.requestsPerMinute", 1.5), null),
                "quotas.requestsPerMinute");
        assertValidationFailed(putGroup(admin, group, Map.of("allowedModels", "gpt-4o"), null), "allowedModels");
        assertValidationFailed(putGroup(admin, group, Map.of("allowedModels", List.of("gpt-4o", " ")), null),
                "allowedModels");
        assertValidationFailed(putGroup(admin, group, Map.of("defaultModel", 42), null), "defaultModel");
        assertValidationFailed(api.put(INSTANCE, Map.of("settings", Map.of("permissions.createApiKeys", "no")),
                admin.token()), "permissions.createApiKeys");

        assertThat(api.get(groupSettings(group), admin.token()).json().path("settings").size()).isZero();
        assertThat(instanceLayer(admin)).isEqualTo(instanceBefore);
    }

    @Test
    void keysUsersMayNotOverrideAreRefusedOnTheUserLayerNamingTheKey() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "non-overridable");
        users.member(admin, group, user, "member");
        setGroup(admin, group, Map.of("permissions.overrideSettings", true), null);

        for (Map.Entry<String, Object> refused : Map.<String, Object>of(
                "allowedModels", List.of("*"),
                "permissions.createApiKeys", true,
                "features.titleModel", "gpt-4o",
                "quotas.tokensPerDay", 1_000_000,
                "embedding.model", "text-embedding-3-large").entrySet()) {
            Api.Response response = api.put(MY_SETTINGS, Map.of("settings",
                    Map.of("defaultModel", "fine", refused.getKey(), refused.getValue())), user.token());
            assertValidationFailed(response, refused.getKey());
        }
        assertThat(api.get(MY_SETTINGS, user.token()).json().path("settings").size()).isZero();
    }

    // ---------------------------------------------------------------- who may write

    @Test
    void groupAdminWritesGroupSettingsButNotThePriorityAndPlainMembersNeither() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account groupAdmin = users.user();
        TestUsers.Account member = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "managed");
        users.member(admin, group, groupAdmin, "admin");
        users.member(admin, group, member, "member");
        assertThat(putGroup(admin, group, Map.of(), 3).status()).isEqualTo(200);

        Api.Response byGroupAdmin = putGroup(groupAdmin, group, Map.of("systemPrompt", "from the group admin"),
                null);
        assertThat(byGroupAdmin.status()).as(byGroupAdmin.text()).isEqualTo(200);
        assertThat(api.get(groupSettings(group), groupAdmin.token()).status()).isEqualTo(200);

        Api.Response priority = putGroup(groupAdmin, group, Map.of("systemPrompt", "with a priority"), 99);
        assertThat(priority.status()).isEqualTo(403);
        assertThat(priority.json().path("code").asString()).isEqualTo("admin_required");

        Api.Response byMember = putGroup(member, group, Map.of("systemPrompt", "from a member"), null);
        assertThat(byMember.status()).isEqualTo(403);
        assertThat(byMember.json().path("code").asString()).isEqualTo("forbidden");
        Api.Response memberRead = api.get(groupSettings(group), member.token());
        assertThat(memberRead.status()).isEqualTo(403);
        assertThat(memberRead.json().path("code").asString()).isEqualTo("forbidden");

        Api.Response byOutsider = putGroup(outsider, group, Map.of("systemPrompt", "from outside"), null);
        assertThat(byOutsider.status()).isEqualTo(404);
        assertThat(byOutsider.json().path("code").asString()).isEqualTo("group_not_found");

        assertThat(api.get(groupSettings(group), admin.token()).json().path("settings").path("systemPrompt")
                .asString()).as("refused writes change nothing").isEqualTo("from the group admin");
        assertThat(api.get("/api/v1/groups/" + group, admin.token()).json().path("priority").asInt())
                .isEqualTo(3);
        JsonNode state = state(member);
        assertThat(setting(state, "systemPrompt").path("value").asString()).isEqualTo("from the group admin");
        assertThat(state.path("groups").get(0).path("priority").asInt()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- effective state

    @Test
    void effectiveStateShowsEveryChangeWithItsSourceOnTheVeryNextRequest() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "live");
        users.member(admin, group, user, "member");
        String groupSource = "group:" + group;
        ObjectNode original = instanceLayer(admin);
        try {
            putInstance(admin, original, Map.of("defaultModel", "instance-model"));
            assertSetting(user, "defaultModel", "instance-model", "instance");

            setGroup(admin, group, Map.of("defaultModel", "group-model", "permissions.overrideSettings", true),
                    null);
            assertSetting(user, "defaultModel", "group-model", groupSource);

            assertThat(api.put(MY_SETTINGS, Map.of("settings", Map.of("defaultModel", "my-model")), user.token())
                    .status()).isEqualTo(200);
            assertSetting(user, "defaultModel", "my-model", "user");

            assertThat(api.put(MY_SETTINGS, Map.of("settings", Map.of()), user.token()).status()).isEqualTo(200);
            assertSetting(user, "defaultModel", "group-model", groupSource);

            setGroup(admin, group, Map.of("defaultModel", "group-model-2", "permissions.overrideSettings", true),
                    null);
            assertSetting(user, "defaultModel", "group-model-2", groupSource);

            setGroup(admin, group, Map.of(), null);
            assertSetting(user, "defaultModel", "instance-model", "instance");

            putInstance(admin, original, Map.of("defaultModel", "instance-model-2"));
            assertSetting(user, "defaultModel", "instance-model-2", "instance");
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void revokingOverrideSettingsDropsTheUsersOverridesFromTheNextRequest() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "override-revoked");
        users.member(admin, group, user, "member");
        ObjectNode original = instanceLayer(admin);
        try {
            putInstance(admin, original, Map.of("permissions.overrideSettings", false));
            setGroup(admin, group, Map.of("permissions.overrideSettings", true, "systemPrompt", "group prompt"),
                    null);
            assertThat(api.put(MY_SETTINGS, Map.of("settings", Map.of("systemPrompt", "my prompt")), user.token())
                    .status()).isEqualTo(200);
            assertSetting(user, "systemPrompt", "my prompt", "user");

            setGroup(admin, group, Map.of("systemPrompt", "group prompt"), null);

            assertSetting(user, "systemPrompt", "group prompt", "group:" + group);
            assertThat(state(user).path("permissions").valueStream().map(JsonNode::asString))
                    .doesNotContain("overrideSettings");
            Api.Response refused = api.put(MY_SETTINGS, Map.of("settings", Map.of("systemPrompt", "again")),
                    user.token());
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().path("code").asString()).isEqualTo("permission_denied");
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void memberOfTwoGroupsGetsTheHigherPriorityValueAndTheUnionOfPermissionsAndModels() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID high = users.group(admin, "high");
        UUID low = users.group(admin, "low");
        users.member(admin, low, user, "member");
        users.member(admin, high, user, "member");
        ObjectNode original = instanceLayer(admin);
        try {
            putInstance(admin, original, Map.of("permissions.createCollections", false,
                    "permissions.createApiKeys", false, "permissions.uploadFiles", false,
                    "allowedModels", List.of("instance-model")));
            setGroup(admin, high, Map.of("defaultModel", "high-model", "permissions.createCollections", true,
                    "allowedModels", List.of("gpt-4o", "claude")), 10);
            setGroup(admin, low, Map.of("defaultModel", "low-model", "systemPrompt", "low prompt",
                    "permissions.createApiKeys", true, "allowedModels", List.of("claude", "gemini")), 1);

            JsonNode state = state(user);

            assertThat(setting(state, "defaultModel").path("value").asString()).isEqualTo("high-model");
            assertThat(setting(state, "defaultModel").path("source").asString()).isEqualTo("group:" + high);
            assertThat(setting(state, "systemPrompt").path("value").asString()).isEqualTo("low prompt");
            assertThat(setting(state, "systemPrompt").path("source").asString()).isEqualTo("group:" + low);
            assertThat(state.path("permissions").valueStream().map(JsonNode::asString))
                    .contains("createCollections", "createApiKeys").doesNotContain("uploadFiles");
            assertThat(strings(setting(state, "permissions.createCollections").path("sources")))
                    .containsExactly("group:" + high);
            assertThat(strings(setting(state, "permissions.createApiKeys").path("sources")))
                    .containsExactly("group:" + low);
            assertThat(strings(setting(state, "allowedModels").path("value")))
                    .containsExactlyInAnyOrder("gpt-4o", "claude", "gemini");
            assertThat(strings(setting(state, "allowedModels").path("sources")))
                    .containsExactly("group:" + high, "group:" + low);
            assertThat(state.path("groups").valueStream().map(g -> g.path("groupId").asString()))
                    .containsExactly(high.toString(), low.toString());

            setGroup(admin, low, Map.of("defaultModel", "low-model", "systemPrompt", "low prompt",
                    "permissions.createApiKeys", true, "allowedModels", List.of("claude", "gemini")), 20);

            JsonNode flipped = state(user);
            assertThat(setting(flipped, "defaultModel").path("value").asString()).isEqualTo("low-model");
            assertThat(setting(flipped, "defaultModel").path("source").asString()).isEqualTo("group:" + low);
            assertThat(flipped.path("groups").valueStream().map(g -> g.path("groupId").asString()))
                    .containsExactly(low.toString(), high.toString());

            Api.Response asAdmin = api.get("/api/v1/users/" + user.id() + "/effective-state", admin.token());
            assertThat(asAdmin.status()).isEqualTo(200);
            assertThat(asAdmin.json().path("settings")).isEqualTo(flipped.path("settings"));
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void revokingCreateApiKeysRefusesTheNextKeyCreation() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "key-makers");
        users.member(admin, group, user, "member");
        ObjectNode original = instanceLayer(admin);
        try {
            putInstance(admin, original, Map.of("permissions.createApiKeys", false));
            setGroup(admin, group, Map.of("permissions.createApiKeys", true), null);
            Api.Response allowed = api.post("/api/v1/api-keys", Map.of("name", "before"), user.token());
            assertThat(allowed.status()).as(allowed.text()).isEqualTo(201);
            String apiKey = allowed.json().path("key").asString();
            assertThat(state(user).path("permissions").valueStream().map(JsonNode::asString))
                    .contains("createApiKeys");
            assertThat(api.get(MY_STATE, apiKey).json().path("permissions").valueStream().map(JsonNode::asString))
                    .contains("createApiKeys");

            setGroup(admin, group, Map.of("permissions.createApiKeys", false), null);

            Api.Response refused = api.post("/api/v1/api-keys", Map.of("name", "after"), user.token());
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().path("code").asString()).isEqualTo("permission_denied");
            Api.Response refusedViaKey = api.post("/api/v1/api-keys", Map.of("name", "after"), apiKey);
            assertThat(refusedViaKey.status()).isEqualTo(403);
            assertThat(refusedViaKey.json().path("code").asString()).isEqualTo("permission_denied");
            JsonNode state = state(user);
            assertThat(state.path("permissions").valueStream().map(JsonNode::asString))
                    .doesNotContain("createApiKeys");
            assertThat(setting(state, "permissions.createApiKeys").path("value").asBoolean(true)).isFalse();
            assertThat(setting(state, "permissions.createApiKeys").path("source").asString()).isEqualTo("instance");
            assertThat(api.get("/api/v1/api-keys", user.token()).json().path("items").size()).isEqualTo(1);
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void removingAUserFromAGroupChangesTheirEffectiveStateOnTheNextRequest() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "leaving");
        users.member(admin, group, user, "member");
        ObjectNode original = instanceLayer(admin);
        try {
            putInstance(admin, original, Map.of("systemPrompt", "instance prompt", "permissions.uploadFiles", false));
            setGroup(admin, group, Map.of("systemPrompt", "group prompt", "permissions.uploadFiles", true), null);
            JsonNode before = state(user);
            assertThat(setting(before, "systemPrompt").path("value").asString()).isEqualTo("group prompt");
            assertThat(before.path("permissions").valueStream().map(JsonNode::asString)).contains("uploadFiles");
            assertThat(before.path("groups").size()).isEqualTo(1);

            assertThat(api.delete("/api/v1/groups/" + group + "/members/" + user.id(), admin.token()).status())
                    .isEqualTo(204);

            JsonNode after = state(user);
            assertThat(after.path("groups").size()).isZero();
            assertThat(setting(after, "systemPrompt").path("value").asString()).isEqualTo("instance prompt");
            assertThat(setting(after, "systemPrompt").path("source").asString()).isEqualTo("instance");
            assertThat(after.path("permissions").valueStream().map(JsonNode::asString))
                    .doesNotContain("uploadFiles");

            users.member(admin, group, user, "member");
            assertSetting(user, "systemPrompt", "group prompt", "group:" + group);
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void withNothingSetAutocompletionIsOffAndTitlesUseGeminiFlashLite() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        ObjectNode original = instanceLayer(admin);
        try {
            restoreInstance(admin, JSON.createObjectNode());

            JsonNode state = state(user);

            assertThat(setting(state, "features.autocompletion").path("value").isBoolean()).isTrue();
            assertThat(setting(state, "features.autocompletion").path("value").asBoolean(true)).isFalse();
            assertThat(setting(state, "features.autocompletion").path("source").asString()).isEqualTo("instance");
            assertThat(setting(state, "features.titleModel").path("value").asString())
                    .isEqualTo("gemini-2.5-flash-lite");
            assertThat(setting(state, "features.titleModel").path("source").asString()).isEqualTo("instance");
            assertThat(strings(setting(state, "features.titleModel").path("sources"))).containsExactly("instance");
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void instanceAdminsOwnOverridesAndCredentialsApplyThoughNoLayerGrantsOverriding() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account otherAdmin = users.admin();
        ObjectNode original = instanceLayer(admin);
        try {
            putInstance(admin, original, Map.of("permissions.overrideSettings", false, "systemPrompt", "house"));

            Api.Response stored = api.put(MY_SETTINGS, Map.of("settings", Map.of("systemPrompt", "mine")),
                    otherAdmin.token());
            Api.Response credential = api.post("/api/v1/me/credentials", Map.of("connection", "admin-own",
                    "kind", "api_key", "name", "mine", "secret", "sk-admin-own-1234"), otherAdmin.token());

            assertThat(stored.status()).as(stored.text()).isEqualTo(200);
            assertThat(credential.status()).as(credential.text()).isEqualTo(201);
            assertSetting(otherAdmin, "systemPrompt", "mine", "user");
            JsonNode state = state(otherAdmin);
            assertThat(state.path("credentials").valueStream()
                    .filter(c -> c.path("connection").asString().equals("admin-own"))
                    .map(c -> c.path("source").asString())).containsExactly("user");
            JsonNode overriding = setting(state, "permissions.overrideSettings");
            assertThat(overriding.path("value").asBoolean(false)).isTrue();
            assertThat(overriding.path("source").asString()).isEqualTo("admin");
            assertThat(state.path("permissions").valueStream().map(JsonNode::asString))
                    .contains("overrideSettings");
        } finally {
            restoreInstance(admin, original);
        }
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode state(TestUsers.Account account) {
        Api.Response response = api.get(MY_STATE, account.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode setting(JsonNode state, String key) {
        JsonNode setting = state.path("settings").path(key);
        assertThat(setting.isObject()).as("setting %s in %s", key, state.path("settings")).isTrue();
        return setting;
    }

    /** Reads the state twice (the second read may come from the cache): both must show the value. */
    private void assertSetting(TestUsers.Account account, String key, String value, String source) {
        for (int read = 1; read <= 2; read++) {
            JsonNode setting = setting(state(account), key);
            assertThat(setting.path("value").asString()).as("%s on read %d", key, read).isEqualTo(value);
            assertThat(setting.path("source").asString()).as("%s source on read %d", key, read).isEqualTo(source);
            assertThat(strings(setting.path("sources"))).as("%s sources", key).containsExactly(source);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.valueStream().forEach(v -> values.add(v.asString()));
        return values;
    }

    private static void assertValidationFailed(Api.Response response, String key) {
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(response.json().path("errors").valueStream().map(e -> e.path("field").asString()))
                .as(response.text()).contains(key);
    }

    private ObjectNode instanceLayer(TestUsers.Account admin) {
        Api.Response response = api.get(INSTANCE, admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return (ObjectNode) response.json().path("settings");
    }

    /** Writes the original instance layer with some keys replaced. */
    private void putInstance(TestUsers.Account admin, ObjectNode original, Map<String, Object> changes) {
        ObjectNode layer = original.deepCopy();
        changes.forEach((key, value) -> layer.set(key, JSON.valueToTree(value)));
        Api.Response response = api.put(INSTANCE, Map.of("settings", layer), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void restoreInstance(TestUsers.Account admin, ObjectNode original) {
        Api.Response response = api.put(INSTANCE, Map.of("settings", original), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private Api.Response putGroup(TestUsers.Account caller, UUID group, Map<String, Object> settings,
                                  Integer priority) {
        Map<String, Object> body = new HashMap<>();
        body.put("settings", settings);
        if (priority != null) {
            body.put("priority", priority);
        }
        return api.put(groupSettings(group), body, caller.token());
    }

    private void setGroup(TestUsers.Account caller, UUID group, Map<String, Object> settings, Integer priority) {
        Api.Response response = putGroup(caller, group, settings, priority);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private static String groupSettings(UUID group) {
        return "/api/v1/groups/" + group + "/settings";
    }
}
