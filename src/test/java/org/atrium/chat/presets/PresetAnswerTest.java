package org.atrium.chat.presets;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers made through a preset: its base model, system prompt and parameters reach the provider; fallback models
 * answer when the base model fails before the first byte, never after; presets are listed among the models only while
 * their base model is.
 */
class PresetAnswerTest extends IntegrationTest {

    private static final String PRESETS = "/api/v1/presets";
    private static final String CHATS = "/api/v1/chats";

    private FakeChatServer provider;
    private TestUsers.Account admin;
    private String connectionId;
    private String connection;
    /** The events of the last answer stream read, in order: name and data. */
    private final List<Map.Entry<String, JsonNode>> events = new ArrayList<>();

    @BeforeEach
    void startProvider() {
        provider = FakeChatServer.start();
        provider.models("m", "backup");
        admin = users.admin();
        connection = "pre-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionId = created.json().path("id").asString();
    }

    @AfterEach
    void stopProvider() {
        api.delete("/api/v1/connections/" + connectionId, admin.token());
        provider.close();
    }

    private TestUsers.Account userWithKey() {
        TestUsers.Account user = users.user();
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key",
                "name", "mine", "secret", "sk-mine-0123456789abcdef"), user.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
        return user;
    }

    private String preset(TestUsers.Account owner, Map<String, Object> fields) {
        Map<String, Object> body = new HashMap<>(fields);
        body.putIfAbsent("name", "preset");
        body.putIfAbsent("baseModel", connection + "/m");
        Api.Response created = api.post(PRESETS, body, owner.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().path("model").asString();
    }

    private List<String> modelIds(TestUsers.Account user) {
        Api.Response models = api.get("/api/v1/models", user.token());
        assertThat(models.status()).as(models.text()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        models.json().path("items").forEach(item -> ids.add(item.path("id").asString()));
        return ids;
    }

    /** Asks for an answer and reads the whole stream; @return the saved answer */
    private JsonNode answer(TestUsers.Account user, String model, Map<String, Object> parameters) {
        Api.Response chat = api.post(CHATS, Map.of("title", "t", "message", Map.of("content",
                "Which rooms need lab coats?")), user.token());
        assertThat(chat.status()).as(chat.text()).isEqualTo(201);
        String chatId = chat.json().path("chat").path("id").asString();
        String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();
        Map<String, Object> body = new HashMap<>(Map.of("questionId", questionId, "model", model));
        if (!parameters.isEmpty()) {
            body.put("parameters", parameters);
        }
        String messageId = null;
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + CHATS + "/"
                                    + chatId + "/answers"))
                            .header("Authorization", "Bearer " + user.token())
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(AnswerJson.write(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            readEvents(response.body());
            messageId = events.getFirst().getValue().path("messageId").asString();
        } catch (IOException | InterruptedException failed) {
            throw new AssertionError(failed);
        }
        return saved(user, chatId, messageId);
    }

    private JsonNode saved(TestUsers.Account user, String chatId, String messageId) {
        Api.Response saved = api.get(CHATS + "/" + chatId + "/messages/" + messageId, user.token());
        assertThat(saved.status()).as(saved.text()).isEqualTo(200);
        return saved.json();
    }

    /** Regenerates an answer, reading the whole stream; @return the new answer as saved */
    private JsonNode regenerate(TestUsers.Account user, JsonNode answer) {
        String chatId = answer.path("chatId").asString();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + CHATS + "/"
                                    + chatId + "/messages/" + answer.path("id").asString() + "/regenerate"))
                            .header("Authorization", "Bearer " + user.token()).timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            readEvents(response.body());
        } catch (IOException | InterruptedException failed) {
            throw new AssertionError(failed);
        }
        return saved(user, chatId, events.getFirst().getValue().path("messageId").asString());
    }

    private void readEvents(String stream) {
        events.clear();
        String name = null;
        for (String line : stream.split("\n")) {
            if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                events.add(Map.entry(String.valueOf(name), AnswerJson.read(line.substring(5))));
            }
        }
        assertThat(events).as(stream).isNotEmpty();
        assertThat(events.getFirst().getKey()).isEqualTo("answer");
    }

    private List<String> eventNames() {
        return events.stream().map(Map.Entry::getKey).toList();
    }

    private List<String> modelsCalled() {
        return provider.requests().stream().filter(r -> r.method().equals("POST"))
                .map(r -> r.body().path("model").asString()).toList();
    }

    @Test
    void aPresetIsListedAmongTheModelsOnlyWhileItsBaseModelIsAvailable() {
        TestUsers.Account user = userWithKey();
        TestUsers.Account other = userWithKey();
        String usable = preset(user, Map.of("name", "Lab helper"));
        String unavailable = preset(user, Map.of("name", "Nowhere", "baseModel", "absent-" + connection + "/m"));

        List<String> ids = modelIds(user);

        assertThat(ids).contains(connection + "/m", usable).doesNotContain(unavailable);
        JsonNode listed = null;
        for (JsonNode item : api.get("/api/v1/models", user.token()).json().path("items")) {
            if (item.path("id").asString().equals(usable)) {
                listed = item;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("displayName").asString()).isEqualTo("Lab helper");
        assertThat(listed.path("connection").asString()).isEqualTo(connection);
        assertThat(listed.path("model").asString()).isEqualTo("m");
        assertThat(modelIds(other)).as("another user's preset").doesNotContain(usable);
        TestUsers.Account keyless = users.user();
        String keylessPreset = preset(keyless, Map.of());
        assertThat(modelIds(keyless)).as("no credential for the base model's connection").doesNotContain(keylessPreset);

        assertThat(api.patch(PRESETS + "/" + usable.substring("preset:".length()), Map.of("baseModel",
                "absent-" + connection + "/m"), user.token()).status()).isEqualTo(200);
        assertThat(modelIds(user)).doesNotContain(usable);
    }

    @Test
    void aGroupsPresetIsListedForItsMembersWhoCanUseItsBaseModel() {
        TestUsers.Account member = userWithKey();
        TestUsers.Account outsider = userWithKey();
        UUID group = users.group(admin, "preset-models");
        users.member(admin, group, member, "member");
        String model = preset(admin, Map.of("name", "Team model", "groupId", group.toString()));

        assertThat(modelIds(member)).contains(model);
        assertThat(modelIds(outsider)).doesNotContain(model);
        provider.enqueue(FakeChatServer.Script.text("Team answer."));
        JsonNode saved = answer(member, model, Map.of());
        assertThat(saved.path("content").asString()).isEqualTo("Team answer.");
    }

    @Test
    void anAnswerThroughAPresetUsesItsBaseModelSystemPromptAndParametersUnderTheRequests() {
        TestUsers.Account user = userWithKey();
        Api.Response setting = api.put("/api/v1/me/settings", Map.of("settings", Map.of("systemPrompt",
                "Be polite.")), user.token());
        assertThat(setting.status()).as(setting.text()).isEqualTo(200);
        String model = preset(user, Map.of("systemPrompt", "Answer from the lab handbook.", "parameters",
                Map.of("temperature", 0.3, "maxTokens", 50, "stop", List.of("END"))));
        provider.enqueue(FakeChatServer.Script.text("Rooms B1 to B4."));

        JsonNode saved = answer(user, model, Map.of("temperature", 0.9));

        assertThat(saved.path("status").asString()).as(saved.toString()).isEqualTo("complete");
        assertThat(saved.path("content").asString()).isEqualTo("Rooms B1 to B4.");
        assertThat(saved.path("answer").path("model").asString()).isEqualTo(connection + "/m");
        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("model").asString()).isEqualTo("m");
        assertThat(sent.path("temperature").asDouble()).as("the request's").isEqualTo(0.9);
        assertThat(sent.path("max_tokens").asInt()).as("the preset's").isEqualTo(50);
        assertThat(sent.path("stop").toString()).contains("END");
        JsonNode first = sent.path("messages").get(0);
        assertThat(first.path("role").asString()).isEqualTo("system");
        assertThat(first.path("content").toString()).contains("Be polite.").contains("Answer from the lab handbook.");
        assertThat(first.path("content").toString().indexOf("Be polite."))
                .isLessThan(first.path("content").toString().indexOf("Answer from the lab handbook."));
        assertThat(sent.path("messages").get(1).path("role").asString()).as("one system message").isEqualTo("user");
        assertThat(saved.path("answer").path("parameters").path("maxTokens").asInt()).isEqualTo(50);
    }

    @Test
    void aPresetTheCallerMayNotSeeIsNoModel() {
        TestUsers.Account owner = userWithKey();
        TestUsers.Account other = userWithKey();
        String model = preset(owner, Map.of());
        Api.Response chat = api.post(CHATS, Map.of("title", "t", "message", Map.of("content", "hi")),
                other.token());
        String chatId = chat.json().path("chat").path("id").asString();
        String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();

        for (String id : List.of(model, "preset:not-a-uuid", "preset:" + UUID.randomUUID())) {
            Api.Response refused = api.post(CHATS + "/" + chatId + "/answers", Map.of("questionId", questionId,
                    "model", id), other.token());
            assertThat(refused.status()).as(refused.text()).isEqualTo(404);
            assertThat(refused.json().path("code").asString()).isEqualTo("model_not_found");
        }
        assertThat(modelsCalled()).isEmpty();
    }

    @Test
    void theNextUsableFallbackModelAnswersWhenTheBaseModelFailsBeforeTheFirstByte() {
        TestUsers.Account user = userWithKey();
        String model = preset(user, Map.of("fallbackModels", List.of("absent-" + connection + "/m",
                connection + "/backup")));
        // The base model's call is retried (3 attempts) before the fallback is tried.
        provider.enqueue(FakeChatServer.Script.failure(503), FakeChatServer.Script.failure(429),
                FakeChatServer.Script.failure(502), FakeChatServer.Script.text("From the backup."));

        JsonNode saved = answer(user, model, Map.of());

        assertThat(saved.path("status").asString()).as(saved.toString()).isEqualTo("complete");
        assertThat(saved.path("content").asString()).isEqualTo("From the backup.");
        assertThat(saved.path("answer").path("model").asString()).as("the model actually used")
                .isEqualTo(connection + "/backup");
        assertThat(modelsCalled()).containsExactly("m", "m", "m", "backup");
        assertThat(eventNames()).as("a second answer event, before any text").startsWith("answer", "answer", "delta")
                .endsWith("end").filteredOn("answer"::equals).hasSize(2);
        assertThat(events.get(0).getValue().path("model").asString()).as("asked of").isEqualTo(connection + "/m");
        assertThat(events.get(1).getValue().path("model").asString()).as("took over")
                .isEqualTo(connection + "/backup");
        assertThat(events.get(1).getValue().path("messageId").asString())
                .isEqualTo(events.get(0).getValue().path("messageId").asString());
    }

    @Test
    void anAnswerWithoutFallbackAnnouncesItsModelOnce() {
        TestUsers.Account user = userWithKey();
        String model = preset(user, Map.of("fallbackModels", List.of(connection + "/backup")));
        provider.enqueue(FakeChatServer.Script.text("From the base model."));

        answer(user, model, Map.of());

        assertThat(eventNames()).filteredOn("answer"::equals).hasSize(1);
        assertThat(events.getFirst().getValue().path("model").asString()).isEqualTo(connection + "/m");
    }

    @Test
    void regeneratingAPresetsAnswerGoesThroughThePresetAgainWhileItExists() {
        TestUsers.Account user = userWithKey();
        String model = preset(user, Map.of("systemPrompt", "Answer from the lab handbook.", "parameters",
                Map.of("maxTokens", 50)));
        provider.enqueue(FakeChatServer.Script.text("First."), FakeChatServer.Script.text("Second."),
                FakeChatServer.Script.text("Third."));
        JsonNode first = answer(user, model, Map.of());
        assertThat(first.path("answer").path("preset").asString()).isEqualTo(model);

        JsonNode again = regenerate(user, first);

        assertThat(again.path("content").asString()).isEqualTo("Second.");
        assertThat(again.path("answer").path("preset").asString()).as("still the preset's").isEqualTo(model);
        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("messages").get(0).path("content").toString()).as("the preset's system prompt")
                .contains("Answer from the lab handbook.");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(50);

        Api.Response deleted = api.delete(PRESETS + "/" + model.substring("preset:".length()), user.token());
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
        JsonNode forgotten = saved(user, again.path("chatId").asString(), again.path("id").asString());
        assertThat(forgotten.path("answer").path("preset").isNull()).as(forgotten.toString()).isTrue();
        assertThat(forgotten.path("answer").path("model").asString()).isEqualTo(connection + "/m");

        JsonNode third = regenerate(user, forgotten);

        assertThat(third.path("status").asString()).as(third.toString()).isEqualTo("complete");
        assertThat(third.path("answer").path("model").asString()).as("the model that made it")
                .isEqualTo(connection + "/m");
        assertThat(provider.lastChat().body().toString()).as("no preset any more")
                .doesNotContain("Answer from the lab handbook.");
        assertThat(modelsCalled()).containsExactly("m", "m", "m");
    }

    @Test
    void modelsInUseNamesTheFallbackModelWhileItAnswers() throws Exception {
        TestUsers.Account user = userWithKey();
        String model = preset(user, Map.of("fallbackModels", List.of(connection + "/backup")));
        provider.enqueue(FakeChatServer.Script.failure(503), FakeChatServer.Script.failure(503),
                FakeChatServer.Script.failure(503), FakeChatServer.Script.text("From the backup, slowly.")
                        .inChunks(2).stallAfter(1, Duration.ofSeconds(3)));

        java.util.concurrent.CompletableFuture<JsonNode> saved = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> answer(user, model, Map.of()));
        List<String> seen = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!seen.contains("backup") && System.nanoTime() < deadline) {
            seen = api.get("/api/v1/models-in-use", admin.token()).json().path("models").valueStream()
                    .filter(m -> m.path("connection").asString().equals(connection))
                    .map(m -> m.path("model").asString()).toList();
            Thread.sleep(50);
        }

        assertThat(seen).as("the model being called, not the preset's base model").containsExactly("backup");
        assertThat(saved.get(30, java.util.concurrent.TimeUnit.SECONDS).path("status").asString())
                .isEqualTo("complete");
    }

    @Test
    void aFallbackOnAnotherConnectionAnswersWhenTheBaseModelGivesNoFirstTokenInTime() {
        try (FakeChatServer slow = FakeChatServer.start()) {
            slow.models("m");
            String slowConnection = "slow-" + UUID.randomUUID().toString().substring(0, 8);
            Api.Response created = api.post("/api/v1/connections", Map.of("name", slowConnection, "kind", "openai",
                    "baseUrl", slow.openAiBaseUrl(), "timeouts", Map.of("connectMs", 1000, "firstTokenMs", 300,
                            "idleMs", 1000, "totalMs", 5000)), admin.token());
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            try {
                TestUsers.Account user = userWithKey();
                Api.Response key = api.post("/api/v1/me/credentials", Map.of("connection", slowConnection, "kind",
                        "api_key", "name", "slow", "secret", "sk-slow-0123456789abcdef"), user.token());
                assertThat(key.status()).as(key.text()).isEqualTo(201);
                String model = preset(user, Map.of("baseModel", slowConnection + "/m", "fallbackModels",
                        List.of(connection + "/backup")));
                FakeChatServer.Script late = FakeChatServer.Script.text("Too late.").slowStart(Duration.ofSeconds(2));
                slow.enqueue(late, late, late);
                provider.enqueue(FakeChatServer.Script.text("On time."));

                JsonNode saved = answer(user, model, Map.of());

                assertThat(saved.path("status").asString()).as(saved.toString()).isEqualTo("complete");
                assertThat(saved.path("content").asString()).isEqualTo("On time.");
                assertThat(saved.path("answer").path("model").asString()).isEqualTo(connection + "/backup");
                assertThat(saved.path("answer").path("connection").asString()).isEqualTo(connection);
                assertThat(modelsCalled()).containsExactly("backup");
            } finally {
                api.delete("/api/v1/connections/" + created.json().path("id").asString(), admin.token());
            }
        }
    }

    @Test
    void noFallbackOnceTheFirstByteWasSent() {
        TestUsers.Account user = userWithKey();
        String model = preset(user, Map.of("fallbackModels", List.of(connection + "/backup")));
        provider.enqueue(FakeChatServer.Script.text("Lab coats are required in rooms B1 to B4.").inChunks(4)
                .dropAfter(1));

        JsonNode saved = answer(user, model, Map.of());

        assertThat(saved.path("status").asString()).as(saved.toString()).isEqualTo("failed");
        assertThat(saved.path("answer").path("failureCode").asString()).isEqualTo("provider_unavailable");
        assertThat(saved.path("content").asString()).isNotEmpty();
        assertThat(saved.path("answer").path("model").asString()).isEqualTo(connection + "/m");
        assertThat(modelsCalled()).containsExactly("m");
    }

    @Test
    void noFallbackWhenTheRequestIsAtFault() {
        TestUsers.Account user = userWithKey();
        String model = preset(user, Map.of("fallbackModels", List.of(connection + "/backup")));
        provider.enqueue(FakeChatServer.Script.failure(400));

        JsonNode saved = answer(user, model, Map.of());

        assertThat(saved.path("status").asString()).as(saved.toString()).isEqualTo("failed");
        assertThat(saved.path("answer").path("failureCode").asString()).isEqualTo("provider_rejected");
        assertThat(modelsCalled()).containsExactly("m");
    }

    @Test
    void whenEveryFallbackFailsTooTheAnswerFailsWithTheLastReason() {
        TestUsers.Account user = userWithKey();
        String model = preset(user, Map.of("fallbackModels", List.of(connection + "/backup")));
        provider.enqueue(FakeChatServer.Script.failure(503), FakeChatServer.Script.failure(503),
                FakeChatServer.Script.failure(503), FakeChatServer.Script.failure(400));

        JsonNode saved = answer(user, model, Map.of());

        assertThat(saved.path("status").asString()).as(saved.toString()).isEqualTo("failed");
        assertThat(saved.path("answer").path("failureCode").asString()).isEqualTo("provider_rejected");
        assertThat(saved.path("answer").path("model").asString()).isEqualTo(connection + "/backup");
        assertThat(modelsCalled()).containsExactly("m", "m", "m", "backup");
    }
}
