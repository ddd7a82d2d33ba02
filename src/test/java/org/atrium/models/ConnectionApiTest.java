package org.atrium.models;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionApiTest extends IntegrationTest {

    private static final String CONNECTIONS = "/api/v1/connections";

    static String uniqueName(String hint) {
        return hint + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Map<String, Object> body(String name, String url) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("kind", "openai");
        body.put("baseUrl", url);
        return body;
    }

    private Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(body);
        copy.put(key, value);
        return copy;
    }

    private static JsonNode problem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.json().path("code").asString()).as(response.text()).isEqualTo(code);
        return response.json();
    }

    private static void invalid(Api.Response response, String field) {
        JsonNode problem = problem(response, 400, "validation_failed");
        assertThat(problem.path("errors").valueStream().map(e -> e.path("field").asString()))
                .as(response.text()).contains(field);
    }

    @Test
    void anInstanceAdminRegistersReadsChangesAndDeletesAConnectionWhoseHeaderValuesNeverComeBack() {
        TestUsers.Account admin = users.admin();
        String name = uniqueName("crud");
        Map<String, Object> create = with(with(body(name, EMBEDDINGS.openAiBaseUrl() + "/"), "headers",
                Map.of("x-tenant", "tenant-secret-123")), "timeouts",
                Map.of("connectMs", 2000, "firstTokenMs", 3000, "idleMs", 4000, "totalMs", 50000));
        Api.Response created = api.post(CONNECTIONS, create, admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asString();
        assertThat(created.json().path("source").asString()).isEqualTo("instance");
        assertThat(created.json().path("baseUrl").asString()).isEqualTo(EMBEDDINGS.openAiBaseUrl());
        assertThat(created.json().path("headerNames").valueStream().map(JsonNode::asString)).containsExactly("x-tenant");
        assertThat(created.json().path("timeouts").path("firstTokenMs").asInt()).isEqualTo(3000);
        assertThat(created.text()).doesNotContain("tenant-secret-123");
        // Compared as bytes: random ciphertext may hold a zero byte, which no text encoding accepts.
        assertThat(jdbc.sql("select count(*) from connections where id = :id"
                        + " and position(convert_to('tenant-secret', 'UTF8') in headers_ciphertext) > 0")
                .param("id", UUID.fromString(id)).query(Long.class).single()).isZero();

        Api.Response listed = api.get(CONNECTIONS, admin.token());
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.text()).doesNotContain("tenant-secret-123");
        assertThat(listed.json().path("items").valueStream().map(c -> c.path("id").asString() + "=" + c.path("source")
                .asString())).contains("config:fake=configuration", "config:fake-ollama=configuration",
                id + "=instance");

        Api.Response read = api.get(CONNECTIONS + "/" + id, admin.token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("revision").asLong()).isEqualTo(1);
        assertThat(api.get(CONNECTIONS + "/config:fake", admin.token()).json().path("kind").asString())
                .isEqualTo("openai");

        Map<String, Object> headers = new HashMap<>();
        headers.put("x-tenant", null);
        headers.put("x-route", "eu");
        Api.Response changed = api.patch(CONNECTIONS + "/" + id, Map.of("enabled", false, "headers", headers),
                admin.token());
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(changed.json().path("enabled").asBoolean()).isFalse();
        assertThat(changed.json().path("revision").asLong()).isEqualTo(2);
        assertThat(changed.json().path("headerNames").valueStream().map(JsonNode::asString))
                .containsExactly("x-route", "x-tenant");

        Api.Response deleted = api.delete(CONNECTIONS + "/" + id, admin.token());
        assertThat(deleted.status()).isEqualTo(204);
        problem(api.get(CONNECTIONS + "/" + id, admin.token()), 404, "connection_not_found");
        problem(api.delete(CONNECTIONS + "/" + id, admin.token()), 404, "connection_not_found");
    }

    @Test
    void everyInvalidFieldIsRefusedAndNamed() {
        TestUsers.Account admin = users.admin();
        String url = EMBEDDINGS.openAiBaseUrl();
        String token = admin.token();
        invalid(api.post(CONNECTIONS, body("Upper-Case", url), token), "name");
        invalid(api.post(CONNECTIONS, body("local", url), token), "name");
        invalid(api.post(CONNECTIONS, body("", url), token), "name");
        invalid(api.post(CONNECTIONS, body("a".repeat(64), url), token), "name");
        invalid(api.post(CONNECTIONS, with(body(uniqueName("k"), url), "kind", "bedrock"), token), "kind");
        invalid(api.post(CONNECTIONS, body(uniqueName("u"), "ftp://example.org/v1"), token), "baseUrl");
        invalid(api.post(CONNECTIONS, body(uniqueName("u"), "https://user:pw@example.org/v1"), token), "baseUrl");
        invalid(api.post(CONNECTIONS, body(uniqueName("u"), "https://example.org/v1?key=1"), token), "baseUrl");
        invalid(api.post(CONNECTIONS, body(uniqueName("u"), "https://example.org/v1#frag"), token), "baseUrl");
        invalid(api.post(CONNECTIONS, body(uniqueName("u"), "https:///v1"), token), "baseUrl");
        invalid(api.post(CONNECTIONS, body(uniqueName("u"), "https://no-such-host.invalid/v1"), token), "baseUrl");
        invalid(api.post(CONNECTIONS, with(body(uniqueName("h"), url), "headers", Map.of("Authorization", "x")),
                token), "headers");
        invalid(api.post(CONNECTIONS, with(body(uniqueName("h"), url), "headers", Map.of("bad name", "x")),
                token), "headers");
        invalid(api.post(CONNECTIONS, with(body(uniqueName("h"), url), "headers", Map.of("x-a", "line\nbreak")),
                token), "headers");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 21; i++) {
            many.put("x-h" + i, "v");
        }
        invalid(api.post(CONNECTIONS, with(body(uniqueName("h"), url), "headers", many), token), "headers");
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("x-a", null);
        invalid(api.post(CONNECTIONS, with(body(uniqueName("h"), url), "headers", nullValue), token), "headers");
        invalid(api.post(CONNECTIONS, with(body(uniqueName("t"), url), "timeouts",
                Map.of("connectMs", 10, "firstTokenMs", 1000, "idleMs", 1000, "totalMs", 10000)), token),
                "timeouts.connectMs");
        invalid(api.post(CONNECTIONS, with(body(uniqueName("t"), url), "timeouts",
                Map.of("connectMs", 1000, "firstTokenMs", 1000, "idleMs", 1000, "totalMs", 99_000_000)), token),
                "timeouts.totalMs");
        invalid(api.post(CONNECTIONS, with(body(uniqueName("t"), url), "timeouts",
                Map.of("connectMs", 1000, "firstTokenMs", 1000, "idleMs", 1000)), token), "timeouts.totalMs");

        problem(api.post(CONNECTIONS, body("fake", url), token), 409, "connection_exists");
        String name = uniqueName("dup");
        assertThat(api.post(CONNECTIONS, body(name, url), token).status()).isEqualTo(201);
        problem(api.post(CONNECTIONS, body(name, url), token), 409, "connection_exists");
    }

    @Test
    void changesAreCheckedAndConfiguredConnectionsAreReadOnly() {
        TestUsers.Account admin = users.admin();
        String token = admin.token();
        String id = api.post(CONNECTIONS, body(uniqueName("chg"), EMBEDDINGS.openAiBaseUrl()), token).json()
                .path("id").asString();
        invalid(api.patch(CONNECTIONS + "/" + id, Map.of("baseUrl", "gopher://example.org"), token), "baseUrl");
        Map<String, Object> keepUnknown = new HashMap<>();
        keepUnknown.put("x-never-set", null);
        invalid(api.patch(CONNECTIONS + "/" + id, Map.of("headers", keepUnknown), token), "headers");
        invalid(api.patch(CONNECTIONS + "/" + id, Map.of("timeouts",
                Map.of("connectMs", 1000, "firstTokenMs", 1, "idleMs", 1000, "totalMs", 10000)), token),
                "timeouts.firstTokenMs");
        problem(api.patch(CONNECTIONS + "/config:fake", Map.of("enabled", false), token), 409,
                "connection_read_only");
        problem(api.delete(CONNECTIONS + "/config:fake", token), 409, "connection_read_only");
        problem(api.patch(CONNECTIONS + "/" + UUID.randomUUID(), Map.of("enabled", false), token), 404,
                "connection_not_found");
        problem(api.get(CONNECTIONS + "/not-an-id", token), 404, "connection_not_found");
        problem(api.get(CONNECTIONS + "/config:nothing", token), 404, "connection_not_found");
        assertThat(api.get(CONNECTIONS + "/" + id, token).json().path("revision").asLong()).isEqualTo(1);
    }

    @Test
    void groupAdminsRegisterConnectionsForTheirGroupOnlyWhileTheInstanceAllowsItAndNeverToInternalAddresses() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "conn-g");
        TestUsers.Account groupAdmin = users.user();
        users.member(admin, group, groupAdmin, "admin");
        TestUsers.Account member = users.user();
        users.member(admin, group, member, "member");
        Map<String, Object> publicUrl = with(body(uniqueName("grp"), "https://203.0.113.10/v1"), "groupId", group);

        problem(api.post(CONNECTIONS, publicUrl, groupAdmin.token()), 403, "group_connections_disabled");
        problem(api.post(CONNECTIONS, publicUrl, member.token()), 403, "forbidden");
        problem(api.post(CONNECTIONS, body(uniqueName("inst"), "https://203.0.113.10/v1"), groupAdmin.token()), 403,
                "admin_required");
        invalid(api.put("/api/v1/groups/" + group + "/settings", Map.of("settings",
                Map.of("permissions.groupConnections", true)), admin.token()), "permissions.groupConnections");

        withGroupConnectionsAllowed(admin, () -> {
            Api.Response created = api.post(CONNECTIONS, publicUrl, groupAdmin.token());
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            assertThat(created.json().path("source").asString()).isEqualTo("group");
            String id = created.json().path("id").asString();
            // The instance allows internal addresses for its admins (IntegrationTest), never for a group admin's URL.
            invalid(api.post(CONNECTIONS, with(body(uniqueName("grp"), EMBEDDINGS.openAiBaseUrl()), "groupId",
                    group), groupAdmin.token()), "baseUrl");
            invalid(api.patch(CONNECTIONS + "/" + id, Map.of("baseUrl", "http://localhost:1/v1"),
                    groupAdmin.token()), "baseUrl");
            assertThat(api.get(CONNECTIONS, groupAdmin.token()).json().path("items").valueStream()
                    .map(c -> c.path("id").asString())).containsExactly(id);
            assertThat(api.get(CONNECTIONS, member.token()).json().path("items").size()).isZero();
            problem(api.get(CONNECTIONS + "/" + id, member.token()), 404, "connection_not_found");
            problem(api.get(CONNECTIONS + "/config:fake", groupAdmin.token()), 404, "connection_not_found");
            assertThat(api.patch(CONNECTIONS + "/" + id, Map.of("enabled", false), groupAdmin.token()).status())
                    .isEqualTo(200);
            assertThat(api.delete(CONNECTIONS + "/" + id, groupAdmin.token()).status()).isEqualTo(204);
        });
    }

    /** Sets {@code permissions.groupConnections} on the instance for the duration of a block, then restores it. */
    void withGroupConnectionsAllowed(TestUsers.Account admin, Runnable block) {
        JsonNode before = api.get("/api/v1/settings/instance", admin.token()).json().path("settings");
        Map<String, Object> allowed = new HashMap<>();
        before.properties().forEach(e -> allowed.put(e.getKey(), e.getValue()));
        allowed.put("permissions.groupConnections", true);
        assertThat(api.put("/api/v1/settings/instance", Map.of("settings", allowed), admin.token()).status())
                .isEqualTo(200);
        try {
            block.run();
        } finally {
            allowed.remove("permissions.groupConnections");
            assertThat(api.put("/api/v1/settings/instance", Map.of("settings", allowed), admin.token()).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void theGroupConnectionsSettingIsInstanceOnlyAndFalseByDefault() {
        TestUsers.Account user = users.user();
        invalid(api.put("/api/v1/me/settings", Map.of("settings", Map.of("permissions.groupConnections", true)),
                user.token()), "permissions.groupConnections");
        assertThat(List.of(api.get("/api/v1/me/effective-state", user.token()).json().path("settings")
                .path("permissions.groupConnections").path("value").asBoolean(true))).containsExactly(false);
    }
}
