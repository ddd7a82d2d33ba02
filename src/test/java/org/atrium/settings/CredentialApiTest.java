package org.atrium.settings;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Provider credentials at instance, group and user level over HTTP: stored encrypted, shown masked, never returned
 * or logged, and inherited (user's own, then groups by priority, then shared instance credentials).
 *
 * <p>Every test uses connection names of its own, so instance credentials shared with all cannot disturb other
 * tests; they are deleted in {@code finally} blocks all the same.
 */
class CredentialApiTest extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INSTANCE_CREDENTIALS = "/api/v1/settings/instance/credentials";
    private static final String MY_CREDENTIALS = "/api/v1/me/credentials";
    private static final String MY_STATE = "/api/v1/me/effective-state";

    @Test
    void credentialsAtEveryLevelAreCreatedMaskedAndTheSecretNeverComesBack() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "masked");
        users.member(admin, group, user, "member");
        grantOverride(admin, group);
        String connection = connection();
        String instanceSecret = secret("inst");
        String groupSecret = secret("grp");
        String userSecret = secret("usr");
        UUID instanceId = null;
        try {
            Api.Response instance = api.post(INSTANCE_CREDENTIALS, Map.of("connection", connection,
                    "kind", "api_key", "name", "Shared key", "secret", "  " + instanceSecret + "\n",
                    "sharedWithAll", true), admin.token());
            Api.Response groupCreated = api.post(groupCredentials(group), Map.of("connection", connection,
                    "kind", "virtual_key", "name", "Group key", "secret", groupSecret), admin.token());
            Api.Response mine = api.post(MY_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                    "name", "My key", "secret", userSecret), user.token());

            assertThat(instance.status()).as(instance.text()).isEqualTo(201);
            assertThat(groupCreated.status()).as(groupCreated.text()).isEqualTo(201);
            assertThat(mine.status()).as(mine.text()).isEqualTo(201);
            instanceId = id(instance);
            assertCreated(instance, instanceSecret, "instance", null, connection, "api_key", "Shared key");
            assertThat(instance.json().path("sharedWithAll").asBoolean(false)).isTrue();
            assertCreated(groupCreated, groupSecret, "group", group, connection, "virtual_key", "Group key");
            assertCreated(mine, userSecret, "user", user.id(), connection, "api_key", "My key");

            List<Api.Response> reads = List.of(
                    api.get(INSTANCE_CREDENTIALS, admin.token()),
                    api.get(groupCredentials(group), admin.token()),
                    api.get(MY_CREDENTIALS, user.token()),
                    api.get(MY_STATE, user.token()),
                    api.get("/api/v1/users/" + user.id() + "/effective-state", admin.token()));
            for (Api.Response read : reads) {
                assertThat(read.status()).as(read.text()).isEqualTo(200);
                assertNoSecret(read.text(), instanceSecret, groupSecret, userSecret);
            }
            assertThat(reads.get(0).json().path("items").valueStream().map(c -> c.path("id").asString()))
                    .contains(instanceId.toString());
            assertThat(reads.get(1).json().path("items").get(0).path("maskedSecret").asString())
                    .isEqualTo(masked(groupSecret));
            assertThat(reads.get(2).json().path("items").get(0).path("maskedSecret").asString())
                    .isEqualTo(masked(userSecret));
            JsonNode effective = credential(reads.get(3).json(), connection);
            assertThat(effective.path("maskedSecret").asString()).isEqualTo(masked(userSecret));
        } finally {
            deleteInstance(admin, instanceId);
        }
    }

    @Test
    void storedRowHoldsOnlyCiphertextUnderANamedKey() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "cipher");
        users.member(admin, group, user, "member");
        grantOverride(admin, group);
        String connection = connection();
        String instanceSecret = secret("rowinst");
        String groupSecret = secret("rowgrp");
        String userSecret = secret("rowusr");
        UUID instanceId = null;
        try {
            instanceId = id(api.post(INSTANCE_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                    "name", "Row key", "secret", instanceSecret), admin.token()));
            UUID groupId = id(api.post(groupCredentials(group), Map.of("connection", connection,
                    "kind", "api_key", "name", "Row key", "secret", groupSecret), admin.token()));
            UUID userId = id(api.post(MY_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                    "name", "Row key", "secret", userSecret), user.token()));

            assertStoredEncrypted(instanceId, instanceSecret);
            assertStoredEncrypted(groupId, groupSecret);
            assertStoredEncrypted(userId, userSecret);
            String hexSecret = HexFormat.of().formatHex(groupSecret.getBytes(StandardCharsets.UTF_8));
            long plaintextAnywhere = jdbc.sql("""
                    select count(*) from credentials
                    where position(decode(:hex, 'hex') in ciphertext) > 0
                       or position(decode(:hex, 'hex') in nonce) > 0
                       or name like :like or connection like :like or last_four like :like""")
                    .param("hex", hexSecret).param("like", "%" + groupSecret + "%").query(Long.class).single();
            assertThat(plaintextAnywhere).isZero();
        } finally {
            deleteInstance(admin, instanceId);
        }
    }

    @Test
    void instanceCredentialReachesOnlyUsersItIsSharedWith() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account inGroup = users.user();
        TestUsers.Account elsewhere = users.user();
        TestUsers.Account noGroup = users.user();
        UUID group = users.group(admin, "shared-to");
        UUID otherGroup = users.group(admin, "not-shared-to");
        users.member(admin, group, inGroup, "member");
        users.member(admin, otherGroup, elsewhere, "member");
        String connection = connection();
        String secret = secret("share");
        UUID id = null;
        try {
            Api.Response created = api.post(INSTANCE_CREDENTIALS, Map.of("connection", connection, "kind",
                    "api_key", "name", "Instance key", "secret", secret), admin.token());
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            id = id(created);
            assertThat(created.json().path("sharedWithAll").asBoolean(true)).isFalse();
            assertThat(created.json().path("sharedWithGroups").size()).isZero();
            for (TestUsers.Account account : List.of(inGroup, elsewhere, noGroup)) {
                assertNoCredential(account, connection);
            }

            share(admin, id, false, List.of(group));

            assertCredential(inGroup, connection, id, "instance", masked(secret));
            assertNoCredential(elsewhere, connection);
            assertNoCredential(noGroup, connection);

            share(admin, id, true, List.of());

            assertCredential(inGroup, connection, id, "instance", masked(secret));
            assertCredential(elsewhere, connection, id, "instance", masked(secret));
            assertCredential(noGroup, connection, id, "instance", masked(secret));

            share(admin, id, false, List.of(otherGroup));

            assertNoCredential(inGroup, connection);
            assertCredential(elsewhere, connection, id, "instance", masked(secret));
            assertNoCredential(noGroup, connection);

            share(admin, id, false, List.of());

            for (TestUsers.Account account : List.of(inGroup, elsewhere, noGroup)) {
                assertNoCredential(account, connection);
            }
        } finally {
            deleteInstance(admin, id);
        }
    }

    @Test
    void groupCredentialWinsOverTheInstanceCredentialAndHigherPriorityGroupOverLower() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID high = users.group(admin, "cred-high");
        UUID low = users.group(admin, "cred-low");
        users.member(admin, high, user, "member");
        users.member(admin, low, user, "member");
        setPriority(admin, high, 10);
        setPriority(admin, low, 1);
        String connection = connection();
        UUID instanceId = null;
        try {
            instanceId = id(api.post(INSTANCE_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                    "name", "Everyone", "secret", secret("all"), "sharedWithAll", true), admin.token()));
            assertCredential(user, connection, instanceId, "instance", null);

            String lowSecret = secret("low");
            UUID lowId = id(api.post(groupCredentials(low), Map.of("connection", connection, "kind", "virtual_key",
                    "name", "Low", "secret", lowSecret), admin.token()));
            assertCredential(user, connection, lowId, "group:" + low, masked(lowSecret));

            String highSecret = secret("high");
            UUID highId = id(api.post(groupCredentials(high), Map.of("connection", connection,
                    "kind", "virtual_key", "name", "High", "secret", highSecret), admin.token()));
            assertCredential(user, connection, highId, "group:" + high, masked(highSecret));

            setPriority(admin, low, 20);
            assertCredential(user, connection, lowId, "group:" + low, masked(lowSecret));

            assertThat(api.delete(groupCredentials(low) + "/" + lowId, admin.token()).status()).isEqualTo(204);
            assertCredential(user, connection, highId, "group:" + high, masked(highSecret));

            assertThat(api.delete(groupCredentials(high) + "/" + highId, admin.token()).status()).isEqualTo(204);
            assertCredential(user, connection, instanceId, "instance", null);
        } finally {
            deleteInstance(admin, instanceId);
        }
    }

    @Test
    void usersOwnCredentialWinsOnlyWhileOverridingIsGranted() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "own-cred");
        users.member(admin, group, user, "member");
        String connection = connection();
        ObjectNode original = instanceLayer(admin);
        try {
            putInstance(admin, original, "permissions.overrideSettings", false);
            putGroupSettings(admin, group, Map.of("permissions.overrideSettings", true));
            String groupSecret = secret("grp");
            UUID groupId = id(api.post(groupCredentials(group), Map.of("connection", connection,
                    "kind", "api_key", "name", "Group", "secret", groupSecret), admin.token()));
            assertCredential(user, connection, groupId, "group:" + group, masked(groupSecret));

            String ownSecret = secret("own");
            Api.Response own = api.post(MY_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                    "name", "Mine", "secret", ownSecret), user.token());
            assertThat(own.status()).as(own.text()).isEqualTo(201);
            UUID ownId = id(own);
            assertCredential(user, connection, ownId, "user", masked(ownSecret));

            putGroupSettings(admin, group, Map.of());

            assertCredential(user, connection, groupId, "group:" + group, masked(groupSecret));
            Api.Response refused = api.post(MY_CREDENTIALS, Map.of("connection", connection(), "kind", "api_key",
                    "name", "Another", "secret", secret("refused")), user.token());
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().path("code").asString()).isEqualTo("permission_denied");

            putGroupSettings(admin, group, Map.of("permissions.overrideSettings", true));
            assertCredential(user, connection, ownId, "user", masked(ownSecret));

            assertThat(api.delete(MY_CREDENTIALS + "/" + ownId, user.token()).status()).isEqualTo(204);
            assertCredential(user, connection, groupId, "group:" + group, masked(groupSecret));
        } finally {
            restoreInstance(admin, original);
        }
    }

    @Test
    void secondCredentialForTheSameConnectionIsAConflictPerOwner() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "dup");
        UUID otherGroup = users.group(admin, "dup-other");
        users.member(admin, group, user, "member");
        grantOverride(admin, group);
        String connection = connection();
        String firstSecret = secret("first");
        UUID firstId = id(api.post(groupCredentials(group), Map.of("connection", connection, "kind", "api_key",
                "name", "First", "secret", firstSecret), admin.token()));

        Api.Response second = api.post(groupCredentials(group), Map.of("connection", connection, "kind",
                "virtual_key", "name", "Second", "secret", secret("second")), admin.token());

        assertThat(second.status()).as(second.text()).isEqualTo(409);
        assertThat(second.json().path("code").asString()).isEqualTo("credential_exists");
        JsonNode listed = api.get(groupCredentials(group), admin.token()).json().path("items");
        assertThat(listed.size()).isEqualTo(1);
        assertThat(listed.get(0).path("id").asString()).isEqualTo(firstId.toString());
        assertCredential(user, connection, firstId, "group:" + group, masked(firstSecret));

        assertThat(api.post(groupCredentials(otherGroup), Map.of("connection", connection, "kind", "api_key",
                "name", "Other group", "secret", secret("other")), admin.token()).status())
                .as("another group may have one for the same connection").isEqualTo(201);
        assertThat(api.post(MY_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                "name", "Mine", "secret", secret("mine")), user.token()).status()).isEqualTo(201);
        Api.Response secondMine = api.post(MY_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                "name", "Mine again", "secret", secret("mine2")), user.token());
        assertThat(secondMine.status()).isEqualTo(409);
        assertThat(secondMine.json().path("code").asString()).isEqualTo("credential_exists");
    }

    @Test
    void deletedCredentialDisappearsFromTheNextEffectiveState() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "deleted");
        users.member(admin, group, user, "member");
        grantOverride(admin, group);
        String groupConnection = connection();
        String instanceConnection = connection();
        String userConnection = connection();
        UUID groupId = id(api.post(groupCredentials(group), Map.of("connection", groupConnection, "kind", "api_key",
                "name", "Group", "secret", secret("g")), admin.token()));
        UUID instanceId = id(api.post(INSTANCE_CREDENTIALS, Map.of("connection", instanceConnection, "kind",
                "api_key", "name", "Instance", "secret", secret("i"), "sharedWithGroups", List.of(group)),
                admin.token()));
        UUID userId = id(api.post(MY_CREDENTIALS, Map.of("connection", userConnection, "kind", "api_key",
                "name", "Mine", "secret", secret("u")), user.token()));
        assertCredential(user, groupConnection, groupId, "group:" + group, null);
        assertCredential(user, instanceConnection, instanceId, "instance", null);
        assertCredential(user, userConnection, userId, "user", null);

        assertThat(api.delete(groupCredentials(group) + "/" + groupId, admin.token()).status()).isEqualTo(204);
        assertNoCredential(user, groupConnection);
        assertThat(api.delete(INSTANCE_CREDENTIALS + "/" + instanceId, admin.token()).status()).isEqualTo(204);
        assertNoCredential(user, instanceConnection);
        assertThat(api.delete(MY_CREDENTIALS + "/" + userId, user.token()).status()).isEqualTo(204);
        assertNoCredential(user, userConnection);

        long rows = jdbc.sql("select count(*) from credentials where id in (:ids)")
                .param("ids", List.of(groupId, instanceId, userId)).query(Long.class).single();
        assertThat(rows).isZero();
        assertThat(api.delete(groupCredentials(group) + "/" + groupId, admin.token()).status())
                .as("deleting twice is harmless").isEqualTo(204);
    }

    @Test
    void credentialOfAnotherOwnerCannotBeDeletedThroughTheWrongPath() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account groupAdmin = users.user();
        TestUsers.Account member = users.user();
        TestUsers.Account stranger = users.user();
        UUID group = users.group(admin, "owner");
        UUID otherGroup = users.group(admin, "wrong-path");
        users.member(admin, group, member, "member");
        users.member(admin, otherGroup, groupAdmin, "admin");
        grantOverride(admin, group);
        String connection = connection();
        UUID groupId = id(api.post(groupCredentials(group), Map.of("connection", connection, "kind", "api_key",
                "name", "Owned", "secret", secret("own")), admin.token()));
        UUID userId = id(api.post(MY_CREDENTIALS, Map.of("connection", connection(), "kind", "api_key",
                "name", "Member's", "secret", secret("mem")), member.token()));

        Api.Response viaOtherGroupAsAdmin = api.delete(groupCredentials(otherGroup) + "/" + groupId, admin.token());
        Api.Response viaOtherGroupAsItsAdmin = api.delete(groupCredentials(otherGroup) + "/" + groupId,
                groupAdmin.token());
        Api.Response viaInstance = api.delete(INSTANCE_CREDENTIALS + "/" + groupId, admin.token());
        Api.Response viaStrangersOwn = api.delete(MY_CREDENTIALS + "/" + groupId, stranger.token());
        Api.Response usersViaStrangersOwn = api.delete(MY_CREDENTIALS + "/" + userId, stranger.token());
        Api.Response usersViaGroup = api.delete(groupCredentials(otherGroup) + "/" + userId, admin.token());

        for (Api.Response refused : List.of(viaOtherGroupAsAdmin, viaOtherGroupAsItsAdmin, viaInstance,
                viaStrangersOwn, usersViaStrangersOwn, usersViaGroup)) {
            assertThat(refused.status()).as(refused.text()).isEqualTo(404);
            assertThat(refused.json().path("code").asString()).isEqualTo("credential_not_found");
        }
        long remaining = jdbc.sql("select count(*) from credentials where id in (:ids)")
                .param("ids", List.of(groupId, userId)).query(Long.class).single();
        assertThat(remaining).isEqualTo(2);
        assertCredential(member, connection, groupId, "group:" + group, null);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void secretsNeverAppearInTheLogs(CapturedOutput output) {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "logs");
        users.member(admin, group, user, "member");
        grantOverride(admin, group);
        String connection = connection();
        String instanceSecret = secret("loginst");
        String groupSecret = secret("loggrp");
        String userSecret = secret("logusr");
        String refusedSecret = secret("logbad");
        UUID instanceId = null;
        try {
            instanceId = id(api.post(INSTANCE_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                    "name", "Logged", "secret", instanceSecret, "sharedWithAll", true), admin.token()));
            UUID groupId = id(api.post(groupCredentials(group), Map.of("connection", connection,
                    "kind", "api_key", "name", "Logged", "secret", groupSecret), admin.token()));
            UUID userId = id(api.post(MY_CREDENTIALS, Map.of("connection", connection, "kind", "api_key",
                    "name", "Logged", "secret", userSecret), user.token()));
            Api.Response conflict = api.post(groupCredentials(group), Map.of("connection", connection,
                    "kind", "api_key", "name", "Again", "secret", refusedSecret), admin.token());
            Api.Response invalid = api.post(groupCredentials(group), Map.of("connection", "NOT VALID",
                    "kind", "nonsense", "name", "Bad", "secret", refusedSecret), admin.token());
            Map<String, Object> wrongType = new HashMap<>(Map.of("connection", connection(), "kind", "api_key",
                    "name", "Bad", "secret", refusedSecret, "sharedWithAll", "sometimes"));
            Api.Response unreadable = api.post(INSTANCE_CREDENTIALS, wrongType, admin.token());
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(unreadable.status()).isEqualTo(400);
            for (Api.Response refused : List.of(conflict, invalid, unreadable)) {
                assertNoSecret(refused.text(), refusedSecret);
            }
            api.get(MY_STATE, user.token());
            api.get(INSTANCE_CREDENTIALS, admin.token());
            api.delete(MY_CREDENTIALS + "/" + userId, user.token());
            api.delete(groupCredentials(group) + "/" + groupId, admin.token());

            assertThat(output.getAll()).as("the capture sees the product's log lines")
                    .contains("credential.created").contains(groupId.toString());
            assertNoSecret(output.getAll(), instanceSecret, groupSecret, userSecret, refusedSecret);
        } finally {
            deleteInstance(admin, instanceId);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String connection() {
        return "c-" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** A secret that is unlikely to appear anywhere by chance; its tail is unique too. */
    private static String secret(String hint) {
        return "sk-" + hint + "-" + UUID.randomUUID().toString().replace("-", "");
    }

    /** The conventional prefix ({@code sk-}) and the last four characters, as the issue specifies. */
    private static String masked(String secret) {
        return "sk-..." + secret.substring(secret.length() - 4);
    }

    /** The secret or any long part of it; the last four characters are allowed (they are the mask). */
    private static void assertNoSecret(String text, String... secrets) {
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret);
            assertThat(text).doesNotContain(secret.substring(0, secret.length() - 4));
            assertThat(text).doesNotContain(secret.substring(secret.length() - 20));
        }
    }

    private static UUID id(Api.Response created) {
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private static void assertCreated(Api.Response response, String secret, String scope, UUID owner,
                                      String connection, String kind, String name) {
        JsonNode body = response.json();
        assertThat(body.path("maskedSecret").asString()).isEqualTo(masked(secret));
        assertThat(body.path("scope").asString()).isEqualTo(scope);
        assertThat(body.path("ownerId").isNull() ? null : body.path("ownerId").asString())
                .isEqualTo(owner == null ? null : owner.toString());
        assertThat(body.path("connection").asString()).isEqualTo(connection);
        assertThat(body.path("kind").asString()).isEqualTo(kind);
        assertThat(body.path("name").asString()).isEqualTo(name);
        assertThat(body.has("secret")).isFalse();
        assertThat(body.has("ciphertext")).isFalse();
        assertNoSecret(response.text(), secret);
    }

    private void assertStoredEncrypted(UUID id, String secret) {
        Map<String, Object> row = jdbc.sql("select key_id, nonce, ciphertext, last_four from credentials"
                + " where id = :id").param("id", id).query().singleRow();
        byte[] ciphertext = (byte[]) row.get("ciphertext");
        byte[] plaintext = secret.getBytes(StandardCharsets.UTF_8);
        assertThat(row.get("key_id")).isEqualTo("test");
        assertThat((byte[]) row.get("nonce")).hasSize(12);
        assertThat(ciphertext).as("AES-GCM: plaintext length plus a 16-byte tag")
                .hasSize(plaintext.length + 16);
        assertThat(indexOf(ciphertext, plaintext)).isEqualTo(-1);
        assertThat(indexOf(ciphertext, secret.substring(0, 12).getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(row.get("last_four")).isEqualTo(secret.substring(secret.length() - 4));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private JsonNode state(TestUsers.Account account) {
        Api.Response response = api.get(MY_STATE, account.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode credential(JsonNode state, String connection) {
        List<JsonNode> found = new ArrayList<>();
        state.path("credentials").valueStream()
                .filter(c -> connection.equals(c.path("connection").asString()))
                .forEach(found::add);
        assertThat(found).as("credentials for %s in %s", connection, state.path("credentials")).hasSize(1);
        return found.getFirst();
    }

    /** Reads the state twice (the second read may come from the cache): both must show this credential. */
    private void assertCredential(TestUsers.Account account, String connection, UUID id, String source,
                                  String maskedSecret) {
        for (int read = 1; read <= 2; read++) {
            JsonNode credential = credential(state(account), connection);
            assertThat(credential.path("credentialId").asString()).as("read %d", read).isEqualTo(id.toString());
            assertThat(credential.path("source").asString()).as("read %d", read).isEqualTo(source);
            if (maskedSecret != null) {
                assertThat(credential.path("maskedSecret").asString()).isEqualTo(maskedSecret);
            }
        }
    }

    private void assertNoCredential(TestUsers.Account account, String connection) {
        for (int read = 1; read <= 2; read++) {
            JsonNode state = state(account);
            assertThat(state.path("credentials").valueStream().map(c -> c.path("connection").asString()))
                    .as("read %d: %s", read, state.path("credentials")).doesNotContain(connection);
        }
    }

    private void share(TestUsers.Account admin, UUID credentialId, boolean all, List<UUID> groups) {
        Api.Response response = api.put(INSTANCE_CREDENTIALS + "/" + credentialId + "/shares",
                Map.of("sharedWithAll", all, "sharedWithGroups", groups), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json().path("sharedWithAll").asBoolean(!all)).isEqualTo(all);
        assertThat(response.json().path("sharedWithGroups").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrderElementsOf(groups.stream().map(UUID::toString).toList());
    }

    private void deleteInstance(TestUsers.Account admin, UUID id) {
        if (id != null) {
            assertThat(api.delete(INSTANCE_CREDENTIALS + "/" + id, admin.token()).status()).isEqualTo(204);
        }
    }

    private void grantOverride(TestUsers.Account admin, UUID group) {
        putGroupSettings(admin, group, Map.of("permissions.overrideSettings", true));
    }

    private void putGroupSettings(TestUsers.Account admin, UUID group, Map<String, Object> settings) {
        Api.Response response = api.put("/api/v1/groups/" + group + "/settings", Map.of("settings", settings),
                admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void setPriority(TestUsers.Account admin, UUID group, int priority) {
        Api.Response current = api.get("/api/v1/groups/" + group + "/settings", admin.token());
        Api.Response response = api.put("/api/v1/groups/" + group + "/settings",
                Map.of("settings", current.json().path("settings"), "priority", priority), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private ObjectNode instanceLayer(TestUsers.Account admin) {
        Api.Response response = api.get("/api/v1/settings/instance", admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return (ObjectNode) response.json().path("settings");
    }

    private void putInstance(TestUsers.Account admin, ObjectNode original, String key, Object value) {
        ObjectNode layer = original.deepCopy();
        layer.set(key, JSON.valueToTree(value));
        Api.Response response = api.put("/api/v1/settings/instance", Map.of("settings", layer), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void restoreInstance(TestUsers.Account admin, ObjectNode original) {
        Api.Response response = api.put("/api/v1/settings/instance", Map.of("settings", original), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private static String groupCredentials(UUID group) {
        return "/api/v1/groups/" + group + "/credentials";
    }
}
