package org.atrium.models;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ModelCatalogueTest extends IntegrationTest {

    private static final String CONNECTIONS = "/api/v1/connections";

    private FakeChatServer chat;
    private TestUsers.Account admin;

    @BeforeEach
    void startProvider() {
        chat = FakeChatServer.start();
        admin = users.admin();
    }

    @AfterEach
    void stopProvider() {
        chat.close();
    }

    private String connection(String name, String kind, String url, UUID groupId, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", name, "kind", kind, "baseUrl", url));
        if (groupId != null) {
            body.put("groupId", groupId);
        }
        body.putAll(extra);
        Api.Response created = api.post(CONNECTIONS, body, admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    private void groupCredential(UUID group, String connection) {
        Api.Response stored = api.post("/api/v1/groups/" + group + "/credentials", Map.of("connection", connection,
                "kind", "virtual_key", "name", "group key", "secret", "sk-group-0123456789abcdef"), admin.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
    }

    private void instanceCredentialForEveryone(String connection) {
        Api.Response stored = api.post("/api/v1/settings/instance/credentials", Map.of("connection", connection,
                "kind", "api_key", "name", "shared key", "secret", "sk-shared-0123456789abcdef",
                "sharedWithAll", true), admin.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
    }

    private JsonNode catalogue(TestUsers.Account account) {
        Api.Response response = api.get("/api/v1/models", account.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static List<String> ids(JsonNode catalogue, String connection) {
        return catalogue.path("items").valueStream().filter(m -> m.path("connection").asString().equals(connection))
                .map(m -> m.path("id").asString()).toList();
    }

    private static JsonNode status(JsonNode catalogue, String connection) {
        return catalogue.path("connections").valueStream()
                .filter(c -> c.path("connection").asString().equals(connection)).findFirst()
                .orElse(tools.jackson.databind.node.MissingNode.getInstance());
    }

    @Test
    void membersSeeTheModelsOfConnectionsTheyHaveACredentialForFilteredByAllowedModels() {
        chat.models("gpt-a", "gpt-b", "o1-mini");
        String name = ConnectionApiTest.uniqueName("cat");
        connection(name, "openai", chat.openAiBaseUrl(), null, Map.of());
        UUID group = users.group(admin, "cat-g");
        TestUsers.Account member = users.user();
        users.member(admin, group, member, "member");
        TestUsers.Account outsider = users.user();
        groupCredential(group, name);

        JsonNode seen = catalogue(member);
        assertThat(ids(seen, name)).containsExactly(name + "/gpt-a", name + "/gpt-b", name + "/o1-mini");
        assertThat(status(seen, name).path("status").asString()).isEqualTo("ok");
        assertThat(seen.path("items").valueStream().filter(m -> m.path("connection").asString().equals(name))
                .map(m -> m.path("model").asString())).containsExactly("gpt-a", "gpt-b", "o1-mini");
        assertThat(chat.requests()).anySatisfy(request -> assertThat(request.headers().entrySet())
                .anySatisfy(h -> assertThat(h.getValue()).isEqualTo("Bearer sk-group-0123456789abcdef")));

        JsonNode outsiders = catalogue(outsider);
        assertThat(ids(outsiders, name)).isEmpty();
        assertThat(status(outsiders, name).isMissingNode()).isTrue();

        assertThat(api.put("/api/v1/groups/" + group + "/settings", Map.of("settings",
                Map.of("allowedModels", List.of(name + "/gpt-a", "o1*"))), admin.token()).status()).isEqualTo(200);
        assertThat(ids(catalogue(member), name)).containsExactly(name + "/gpt-a", name + "/o1-mini");
    }

    @Test
    void connectionsThatNeedNoCredentialAreOfferedToEveryone() {
        chat.models("llama3.2:latest");
        String name = ConnectionApiTest.uniqueName("oll");
        String id = connection(name, "ollama", chat.ollamaBaseUrl(), null, Map.of());
        assertThat(ids(catalogue(users.user()), name)).containsExactly(name + "/llama3.2:latest");
        // Offered to every account: leave no connection to a stopped server behind for other tests' catalogues.
        assertThat(api.delete(CONNECTIONS + "/" + id, admin.token()).status()).isEqualTo(204);
    }

    @Test
    void everyChangeToAConnectionIsSeenByTheNextRequest() {
        chat.models("gpt-a");
        String name = ConnectionApiTest.uniqueName("fresh");
        String id = connection(name, "openai", chat.openAiBaseUrl(), null, Map.of());
        instanceCredentialForEveryone(name);
        TestUsers.Account user = users.user();
        assertThat(ids(catalogue(user), name)).containsExactly(name + "/gpt-a");

        assertThat(api.patch(CONNECTIONS + "/" + id, Map.of("enabled", false), admin.token()).status())
                .isEqualTo(200);
        assertThat(ids(catalogue(user), name)).isEmpty();

        chat.models("gpt-a", "gpt-new");
        assertThat(api.patch(CONNECTIONS + "/" + id, Map.of("enabled", true), admin.token()).status())
                .isEqualTo(200);
        // A new revision: the list is fetched again rather than served from before the change.
        assertThat(ids(catalogue(user), name)).containsExactly(name + "/gpt-a", name + "/gpt-new");

        assertThat(api.delete(CONNECTIONS + "/" + id, admin.token()).status()).isEqualTo(204);
        assertThat(ids(catalogue(user), name)).isEmpty();
    }

    @Test
    void aGroupsConnectionIsOfferedOnlyToItsMembersAndOnlyWithTheGroupsOrTheirOwnCredential() {
        chat.models("gpt-g");
        UUID group = users.group(admin, "cat-own");
        TestUsers.Account member = users.user();
        users.member(admin, group, member, "member");
        TestUsers.Account outsider = users.user();
        String name = ConnectionApiTest.uniqueName("gconn");
        connection(name, "openai", chat.openAiBaseUrl(), group, Map.of());
        instanceCredentialForEveryone(name);

        assertThat(ids(catalogue(member), name)).as("an instance credential never reaches a group's URL").isEmpty();
        groupCredential(group, name);
        assertThat(ids(catalogue(member), name)).containsExactly(name + "/gpt-g");
        assertThat(ids(catalogue(outsider), name)).isEmpty();
        assertThat(chat.requests()).allSatisfy(request -> assertThat(request.headers().values())
                .doesNotContain("Bearer sk-shared-0123456789abcdef"));
    }

    @Test
    void aFailingOrSlowConnectionIsListedWithItsStatusAndItsLastGoodList() {
        chat.models("gpt-a", "gpt-b");
        String name = ConnectionApiTest.uniqueName("fail");
        String id = connection(name, "openai", chat.openAiBaseUrl(), null, Map.of("timeouts",
                Map.of("connectMs", 1000, "firstTokenMs", 400, "idleMs", 1000, "totalMs", 10000)));
        instanceCredentialForEveryone(name);
        TestUsers.Account user = users.user();
        assertThat(ids(catalogue(user), name)).hasSize(2);

        chat.failModels(FakeChatServer.Script.failure(503));
        Api.Response refreshed = api.post(CONNECTIONS + "/" + id + "/models/refresh", null, admin.token());
        assertThat(refreshed.status()).as(refreshed.text()).isEqualTo(200);
        assertThat(refreshed.json().path("status").path("status").asString()).isEqualTo("failing");
        assertThat(refreshed.json().path("status").path("reason").asString()).contains(name);
        assertThat(refreshed.json().path("items").size()).isEqualTo(2);

        JsonNode seen = catalogue(user);
        assertThat(status(seen, name).path("status").asString()).isEqualTo("failing");
        assertThat(status(seen, name).path("fetchedAt").isNull()).isFalse();
        assertThat(ids(seen, name)).hasSize(2);

        chat.failModels(FakeChatServer.Script.failure(500).slowStart(Duration.ofSeconds(3)));
        long started = System.nanoTime();
        Api.Response slow = api.post(CONNECTIONS + "/" + id + "/models/refresh", null, admin.token());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
        assertThat(slow.json().path("status").path("status").asString()).isEqualTo("failing");
        assertThat(slow.json().path("items").size()).isEqualTo(2);

        chat.failModels(null);
        Api.Response recovered = api.post(CONNECTIONS + "/" + id + "/models/refresh", null, admin.token());
        assertThat(recovered.json().path("status").path("status").asString()).isEqualTo("ok");
        assertThat(recovered.json().path("status").path("reason").isNull()).isTrue();
        assertThat(api.delete(CONNECTIONS + "/" + id, admin.token()).status()).isEqualTo(204);
    }

    @Test
    void concurrentRequestsFetchANewListOnceAndLaterOnesAreServedFromTheSharedStore() throws Exception {
        chat.models("gpt-once");
        String name = ConnectionApiTest.uniqueName("once");
        String id = connection(name, "openai", chat.openAiBaseUrl(), null, Map.of());
        instanceCredentialForEveryone(name);
        List<TestUsers.Account> callers = java.util.stream.IntStream.range(0, 6).mapToObj(i -> users.user()).toList();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<JsonNode>> seen = callers.stream()
                    .map(caller -> threads.submit(() -> catalogue(caller))).toList();
            for (var future : seen) {
                JsonNode catalogue = future.get();
                String state = status(catalogue, name).path("status").asString();
                assertThat(state).isIn("ok", "failing");
                if (state.equals("ok")) {
                    assertThat(ids(catalogue, name)).containsExactly(name + "/gpt-once");
                }
            }
        }
        assertThat(ids(catalogue(users.user()), name)).containsExactly(name + "/gpt-once");
        assertThat(chat.requests().stream().filter(r -> r.path().endsWith("/models")).count())
                .as("model-list requests to the provider").isEqualTo(1);
        assertThat(api.delete(CONNECTIONS + "/" + id, admin.token()).status()).isEqualTo(204);
    }

    @Test
    void anAdminWithoutACredentialSeesWhyAConnectionIsUnavailable() {
        String name = ConnectionApiTest.uniqueName("unav");
        String id = connection(name, "anthropic", chat.anthropicBaseUrl(), null, Map.of());
        Api.Response models = api.get(CONNECTIONS + "/" + id + "/models", admin.token());
        assertThat(models.status()).as(models.text()).isEqualTo(200);
        assertThat(models.json().path("status").path("status").asString()).isEqualTo("unavailable");
        assertThat(api.get(CONNECTIONS + "/" + UUID.randomUUID() + "/models", admin.token()).status())
                .isEqualTo(404);
        assertThat(api.post(CONNECTIONS + "/" + id + "/models/refresh", null, users.user().token()).json()
                .path("code").asString()).isEqualTo("connection_not_found");
    }
}
