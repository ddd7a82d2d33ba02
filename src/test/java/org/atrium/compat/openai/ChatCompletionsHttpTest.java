package org.atrium.compat.openai;

import org.atrium.compat.wire.StreamHeartbeats;
import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.net.Socket;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the SDK test cannot see: the wire itself. Server-Timing, the stream's exact events, a failure before and after
 * the first output, a client that goes away, quotas, body limits, images, other provider kinds behind the same API,
 * and Open WebUI's {@code files} grounding an answer on a collection.
 */
class ChatCompletionsHttpTest extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FakeChatServer provider;
    private TestUsers.Account admin;
    private TestUsers.Account user;
    private String connection;
    private final List<String> connectionIds = new ArrayList<>();

    @BeforeEach
    void start() {
        admin = users.admin();
        provider = FakeChatServer.start().models("m");
        connection = connection("http", "openai", provider.openAiBaseUrl());
        user = users.user();
        key(user, connection);
    }

    @AfterEach
    void stop() {
        connectionIds.forEach(id -> api.delete("/api/v1/connections/" + id, admin.token()));
        provider.close();
    }

    private String connection(String prefix, String kind, String baseUrl) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", name, "kind", kind, "baseUrl", baseUrl),
                admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionIds.add(created.json().path("id").asString());
        return name;
    }

    private void key(TestUsers.Account account, String connectionName) {
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", connectionName, "kind",
                "api_key", "name", "mine-" + connectionName, "secret", "sk-upstream-0123456789abcdef"),
                account.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
    }

    private Map<String, Object> request(String model, boolean stream, Object content) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("stream", stream);
        body.put("messages", List.of(Map.of("role", "user", "content", content)));
        return body;
    }

    private Api.Response post(String path, Object body, TestUsers.Account account) {
        return api.post(path, body, account.token());
    }

    /** The data of every event of a stream, {@code [DONE]} included. */
    private static List<String> events(String stream) {
        List<String> data = new ArrayList<>();
        for (String line : stream.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring("data: ".length()));
            }
        }
        return data;
    }

    @Test
    void everyCompletionCarriesServerTimingWithAtriumsOwnTimeAndTheProviders() {
        provider.enqueue(FakeChatServer.Script.text("whole"), FakeChatServer.Script.text("streamed"));

        Api.Response whole = post("/v1/chat/completions", request(connection + "/m", false, "Hi"), user);
        Api.Response streamed = post("/v1/chat/completions", request(connection + "/m", true, "Hi"), user);

        for (Api.Response response : List.of(whole, streamed)) {
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            assertThat(response.header("Server-Timing"))
                    .matches("atrium;dur=\\d+\\.\\d{3};desc=\"Atrium\", upstream;dur=\\d+\\.\\d{3};desc=\"provider\"");
        }
        assertThat(whole.header("Content-Type")).startsWith("application/json");
        assertThat(streamed.header("Content-Type")).startsWith("text/event-stream");
        List<String> events = events(streamed.text());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        assertThat(JSON.readTree(events.getFirst()).path("choices").get(0).path("delta").path("role").asString())
                .isEqualTo("assistant");
        assertThat(streamed.text()).doesNotContain("\"usage\"");
    }

    @Test
    void aFailureBeforeTheFirstOutputIsAnsweredWithItsStatusInOpenAisShapeStreamingOrNot() {
        provider.enqueue(FakeChatServer.Script.text("").withStatus(400, -1, "context too long"),
                FakeChatServer.Script.text("").withStatus(400, -1, "context too long"));

        for (boolean stream : List.of(false, true)) {
            Api.Response failed = post("/v1/chat/completions", request(connection + "/m", stream, "Hi"), user);
            assertThat(failed.status()).as(failed.text()).isEqualTo(400);
            assertThat(failed.header("Content-Type")).startsWith("application/json");
            JsonNode error = failed.json().path("error");
            assertThat(error.path("code").asString()).isEqualTo("provider_rejected");
            assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
            assertThat(error.path("message").asString()).isNotBlank();
            assertThat(error.has("param")).isTrue();
        }
    }

    @Test
    void aFailureWhileStreamingIsAnErrorEventInsideTheStream() {
        provider.enqueue(FakeChatServer.Script.text("one two three").inChunks(3).failMidStream("overloaded"));

        Api.Response streamed = post("/v1/chat/completions", request(connection + "/m", true, "Hi"), user);

        assertThat(streamed.status()).isEqualTo(200);
        List<String> events = events(streamed.text());
        JsonNode last = JSON.readTree(events.getLast());
        assertThat(last.path("error").path("code").asString()).startsWith("provider_");
        assertThat(last.path("error").path("message").asString()).isNotBlank();
        assertThat(events).doesNotContain("[DONE]");
        assertThat(streamed.text()).contains("\"content\":\"one");
    }

    @Test
    void aClientThatGoesAwayCancelsTheProviderCallEvenWhileTheModelIsSilent() throws Exception {
        // Silent after its first chunk for 4 heartbeat intervals: only heartbeats can notice the client gone (the
        // first write after the close still succeeds, the second fails).
        provider.enqueue(FakeChatServer.Script.text("a b c d e f g h").inChunks(8).stallAfter(1,
                StreamHeartbeats.INTERVAL.multipliedBy(4)));
        // A plain socket, closed at once once the first text arrived: nothing in between keeps the connection open.
        byte[] body = JSON.writeValueAsBytes(request(connection + "/m", true, "Hi"));
        URI base = URI.create(api.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nAuthorization: Bearer " + user.token() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(reader.readLine()).startsWith("HTTP/1.1 200");
            String line;
            while ((line = reader.readLine()) != null && !line.contains("\"content\":\"a")) {
                // headers, then the role chunk
            }
            assertThat(line).as("the first text chunk").isNotNull();
        }

        long deadline = System.nanoTime() + StreamHeartbeats.INTERVAL.multipliedBy(10).toNanos();
        while (provider.disconnects() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(provider.disconnects()).as("the provider saw its connection closed").isEqualTo(1);
        assertThat(provider.completed()).as("the provider never finished the answer").isZero();
    }

    @Test
    void quotasRefuseACallInOpenAisShapeWithRetryAfter() {
        UUID group = users.group(admin, "quota");
        users.member(admin, group, user, "member");
        assertThat(api.put("/api/v1/groups/" + group + "/settings", Map.of("settings",
                Map.of("quotas.requestsPerMinute", 1)), admin.token()).status()).isEqualTo(200);
        provider.enqueue(FakeChatServer.Script.text("first"));
        org.atrium.testing.ClockMinutes.awaitAtLeastLeft(java.time.Duration.ofSeconds(10));

        Api.Response first = post("/v1/chat/completions", request(connection + "/m", false, "Hi"), user);
        Api.Response second = post("/v1/chat/completions", request(connection + "/m", false, "Hi"), user);

        assertThat(first.status()).as(first.text()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.header("Retry-After")).isNotBlank();
        assertThat(second.json().path("error").path("code").asString()).isEqualTo("quota_exceeded");
        assertThat(second.json().path("error").path("type").asString()).isEqualTo("rate_limit_error");
        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count()).isEqualTo(1);
    }

    @Test
    void bodiesAreBoundedAndCheckedBeforeAnyProviderCall() {
        Api.Response tooLarge = api.sendBytes("POST", "/v1/chat/completions", new byte[9 * 1024 * 1024],
                Map.of("Authorization", "Bearer " + user.token(), "Content-Type", "application/json"));
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().path("error").path("code").asString()).isEqualTo("payload_too_large");

        Api.Response audio = post("/v1/chat/completions", request(connection + "/m", false, List.of(
                Map.of("type", "text", "text", "Listen"), Map.of("type", "input_audio", "input_audio",
                        Map.of("data", "AAAA", "format", "wav")))), user);
        assertThat(audio.status()).isEqualTo(400);
        assertThat(audio.json().path("error").path("param").asString()).isEqualTo("messages[0].content[1].type");

        Map<String, Object> toolWithoutCall = request(connection + "/m", false, "Hi");
        toolWithoutCall.put("messages", List.of(Map.of("role", "user", "content", "Hi"),
                Map.of("role", "tool", "tool_call_id", "call_9", "content", "42")));
        Api.Response orphan = post("/v1/chat/completions", toolWithoutCall, user);
        assertThat(orphan.status()).isEqualTo(400);
        assertThat(orphan.json().path("error").path("param").asString()).isEqualTo("messages[1].tool_call_id");

        Map<String, Object> badRole = request(connection + "/m", false, "Hi");
        badRole.put("messages", List.of(Map.of("role", "wizard", "content", "Hi")));
        Api.Response wizard = post("/v1/chat/completions", badRole, user);
        assertThat(wizard.status()).isEqualTo(400);
        assertThat(wizard.json().path("error").path("param").asString()).isEqualTo("messages[0].role");

        Map<String, Object> namedUnknown = request(connection + "/m", false, "Hi");
        namedUnknown.put("tools", List.of(Map.of("type", "function", "function", Map.of("name", "lookup"))));
        namedUnknown.put("tool_choice", Map.of("type", "function", "function", Map.of("name", "other")));
        Api.Response choice = post("/v1/chat/completions", namedUnknown, user);
        assertThat(choice.status()).isEqualTo(400);
        assertThat(choice.json().path("error").path("param").asString()).isEqualTo("tool_choice");
        assertThat(choice.json().path("error").path("message").asString()).contains("'other'");

        // Shaped like an id but not one: refused as invalid, never a 500 from parsing it.
        Map<String, Object> notAnId = request(connection + "/m", false, "Hi");
        notAnId.put("files", List.of(Map.of("type", "collection", "id", "-".repeat(36))));
        Api.Response badId = post("/v1/chat/completions", notAnId, user);
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.json().path("error").path("code").asString()).isEqualTo("validation_failed");

        Api.Response anonymous = api.post("/v1/chat/completions", request(connection + "/m", false, "Hi"), null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().path("error").path("type").asString()).isEqualTo("authentication_error");

        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count()).isZero();
    }

    @Test
    void imagesAndParametersClientsCommonlyAddArePassedOnOrIgnored() {
        provider.enqueue(FakeChatServer.Script.text("A red square."));
        String png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA"
                + "hKmMIQAAAABJRU5ErkJggg==";
        Map<String, Object> body = request(connection + "/m", false, List.of(Map.of("type", "text", "text",
                "What is this?"), Map.of("type", "image_url", "image_url", Map.of("url", png, "detail", "low"))));
        body.put("frequency_penalty", 0);
        body.put("logprobs", false);
        body.put("parallel_tool_calls", true);

        Api.Response answered = post("/v1/chat/completions", body, user);

        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        JsonNode content = provider.lastChat().body().path("messages").get(0).path("content");
        assertThat(content.toString()).contains("What is this?").contains(png);
    }

    @Test
    void aPresetIsAModelOfTheApiWithItsSystemPromptAndParametersUnderTheCallers() {
        Api.Response created = api.post("/api/v1/presets", Map.of("name", "Lab helper", "baseModel",
                connection + "/m", "systemPrompt", "Answer from the lab handbook.", "parameters",
                Map.of("temperature", 0.1, "maxTokens", 50)), user.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String preset = created.json().path("model").asString();
        provider.enqueue(FakeChatServer.Script.text("Lab coats in B1."));

        Api.Response listed = api.get("/v1/models", user.token());
        Map<String, Object> body = request(preset, false, "Which rooms?");
        body.put("temperature", 0.7);
        Api.Response answered = post("/v1/chat/completions", body, user);

        assertThat(listed.text()).contains(preset);
        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        assertThat(answered.json().path("model").asString()).isEqualTo(preset);
        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("model").asString()).isEqualTo("m");
        assertThat(sent.path("messages").get(0).path("content").toString()).contains("Answer from the lab handbook.");
        assertThat(sent.path("temperature").asDouble()).as("the caller's value wins").isEqualTo(0.7);
        assertThat(sent.path("max_tokens").asInt() + sent.path("max_completion_tokens").asInt())
                .as("the preset's where the caller sets none").isEqualTo(50);
    }

    @Test
    void aProviderModelIdWorksWhereItIsUnambiguousAndTheCatalogueIdAlways() {
        provider.enqueue(FakeChatServer.Script.text("by provider id"));

        Api.Response answered = post("/v1/chat/completions", request("m", false, "Hi"), user);

        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        assertThat(answered.json().path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("by provider id");
        assertThat(post("/v1/chat/completions", request("not-a-model", false, "Hi"), user).status())
                .isEqualTo(404);
    }

    @Test
    void anAnthropicConnectionAnswersThroughTheSameApi() {
        String anthropic = connection("claude", "anthropic", provider.anthropicBaseUrl());
        key(user, anthropic);
        provider.enqueue(FakeChatServer.Script.text("Bonjour le monde").inChunks(2).withUsage(7, 3));
        Map<String, Object> body = request(anthropic + "/m", true, "Say hello in French.");
        body.put("messages", List.of(Map.of("role", "system", "content", "Be terse."),
                Map.of("role", "user", "content", "Say hello in French.")));
        body.put("stream_options", Map.of("include_usage", true));

        Api.Response streamed = post("/v1/chat/completions", body, user);

        assertThat(streamed.status()).as(streamed.text()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        JsonNode usage = null;
        for (String data : events(streamed.text())) {
            if (data.equals("[DONE]")) {
                continue;
            }
            JsonNode chunk = JSON.readTree(data);
            if (!chunk.path("choices").isEmpty()) {
                text.append(chunk.path("choices").get(0).path("delta").path("content").asString(""));
            }
            if (chunk.path("usage").isObject()) {
                usage = chunk.path("usage");
            }
        }
        assertThat(text.toString()).isEqualTo("Bonjour le monde");
        assertThat(usage).isNotNull();
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(7);
        FakeChatServer.Received sent = provider.lastChat();
        assertThat(sent.kind()).isEqualTo("anthropic");
        assertThat(sent.body().path("system").toString()).contains("Be terse.");
    }

    @Test
    void openWebUisFilesGroundTheAnswerOnACollectionTheCallerMayRead() {
        Knowledge knowledge = new Knowledge(api);
        UUID group = users.group(admin, "owui");
        users.member(admin, group, user, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-kn-secret-1234");
        UUID collection = knowledge.groupCollection(admin, group, "Orchard");
        UUID file = knowledge.upload(admin, collection, "kiwi.txt",
                "Kiwi vines climb the trellis on the south wall.".getBytes(StandardCharsets.UTF_8));
        assertThat(knowledge.awaitSettled(admin, collection, file).path("status").asString()).isEqualTo("ready");
        TestUsers.Account outsider = users.user();
        key(outsider, connection);
        provider.enqueue(FakeChatServer.Script.text("On the trellis."), FakeChatServer.Script.text("No idea."));
        Map<String, Object> body = request(connection + "/m", false, "Where do kiwi vines climb?");
        body.put("files", List.of(Map.of("type", "collection", "id", collection.toString())));

        Api.Response grounded = post("/api/chat/completions", body, user);
        assertThat(grounded.status()).as(grounded.text()).isEqualTo(200);
        assertThat(provider.lastChat().body().toString()).contains("trellis on the south wall");

        Api.Response notTheirs = post("/api/chat/completions", body, outsider);
        assertThat(notTheirs.status()).as(notTheirs.text()).isEqualTo(200);
        assertThat(provider.lastChat().body().toString()).doesNotContain("south wall");
    }
}
