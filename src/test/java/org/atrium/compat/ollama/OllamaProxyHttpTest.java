package org.atrium.compat.ollama;

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
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Open WebUI's Ollama proxy paths on the wire: the model list of the caller's Ollama connections, chat streamed as
 * NDJSON by default and whole on request, generate, embed, tool calls, errors in Ollama's shape, and a client that
 * goes away cancelling the provider call. An OpenAI connection offers a model of the same name, which the proxy must
 * not pick.
 */
class OllamaProxyHttpTest extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FakeChatServer provider;
    private TestUsers.Account admin;
    private TestUsers.Account user;
    private String ollama;
    private final List<String> connectionIds = new ArrayList<>();

    @BeforeEach
    void start() {
        admin = users.admin();
        provider = FakeChatServer.start().models("m");
        String openAi = connection("oa", "openai", provider.openAiBaseUrl());
        ollama = connection("ol", "ollama", provider.ollamaBaseUrl());
        user = users.user();
        assertThat(api.post("/api/v1/me/credentials", Map.of("connection", openAi, "kind", "api_key", "name", "mine",
                "secret", "sk-upstream-0123456789abcdef"), user.token()).status()).isEqualTo(201);
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

    private Api.Response post(String path, Object body) {
        return api.post(path, body, user.token());
    }

    private static Map<String, Object> chat(String model, Object... messages) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(messages));
        return body;
    }

    private static List<JsonNode> lines(String ndjson) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void tagsListTheModelsOfTheCallersOllamaConnectionsByTheNamesThatReachThem() {
        String second = connection("ol2", "ollama", provider.ollamaBaseUrl());

        Api.Response tags = api.get("/ollama/api/tags", user.token());

        assertThat(tags.status()).as(tags.text()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        tags.json().path("models").forEach(model -> names.add(model.path("name").asString()));
        assertThat(names).contains("m", second + "/m").doesNotContain(ollama + "/m");
        assertThat(names.stream().filter(name -> name.equals("m")).count()).isEqualTo(1);
        JsonNode first = tags.json().path("models").get(names.indexOf("m"));
        assertThat(first.path("model").asString()).isEqualTo("m");
        assertThat(first.path("details").isObject()).isTrue();
    }

    @Test
    void chatStreamsNdjsonByDefaultFromTheOllamaConnection() {
        provider.enqueue(FakeChatServer.Script.text("Hello there").inChunks(2).withUsage(7, 3));
        Map<String, Object> body = chat("m:latest", Map.of("role", "system", "content", "Be terse."),
                Map.of("role", "user", "content", "Hi"));
        body.put("options", Map.of("temperature", 0.2, "num_predict", 50, "num_ctx", 4096));

        Api.Response streamed = post("/ollama/api/chat", body);

        assertThat(streamed.status()).as(streamed.text()).isEqualTo(200);
        assertThat(streamed.header("Content-Type")).startsWith("application/x-ndjson");
        assertThat(streamed.header("Server-Timing")).startsWith("atrium;dur=");
        List<JsonNode> lines = lines(streamed.text());
        assertThat(lines).hasSize(3);
        StringBuilder text = new StringBuilder();
        for (JsonNode piece : lines.subList(0, 2)) {
            assertThat(piece.path("model").asString()).isEqualTo("m:latest");
            assertThat(piece.path("done").asBoolean()).isFalse();
            assertThat(piece.path("message").path("role").asString()).isEqualTo("assistant");
            text.append(piece.path("message").path("content").asString());
        }
        assertThat(text.toString()).isEqualTo("Hello there");
        JsonNode last = lines.getLast();
        assertThat(last.path("done").asBoolean()).isTrue();
        assertThat(last.path("done_reason").asString()).isEqualTo("stop");
        assertThat(last.path("prompt_eval_count").asInt()).isEqualTo(7);
        assertThat(last.path("eval_count").asInt()).isEqualTo(3);
        FakeChatServer.Received sent = provider.lastChat();
        assertThat(sent.kind()).isEqualTo("ollama");
        assertThat(sent.body().path("messages").get(0).path("content").asString()).isEqualTo("Be terse.");
        assertThat(sent.body().path("options").path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.body().path("options").path("num_predict").asInt()).isEqualTo(50);
    }

    @Test
    void chatWithoutStreamingAndGenerateAnswerWhole() {
        provider.enqueue(FakeChatServer.Script.text("Bonjour."), FakeChatServer.Script.text("Four."));
        String png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        Map<String, Object> body = chat(ollama + "/m", Map.of("role", "user", "content", "What is this?",
                "images", List.of(png)));
        body.put("stream", false);

        Api.Response whole = post("/ollama/api/chat", body);

        assertThat(whole.status()).as(whole.text()).isEqualTo(200);
        assertThat(whole.header("Content-Type")).startsWith("application/json");
        assertThat(whole.json().path("message").path("content").asString()).isEqualTo("Bonjour.");
        assertThat(whole.json().path("done").asBoolean()).isTrue();
        assertThat(provider.lastChat().body().path("messages").get(0).path("images").get(0).asString())
                .isEqualTo(png);

        Api.Response generated = post("/ollama/api/generate", Map.of("model", "m", "system", "Answer in words.",
                "prompt", "2+2?", "stream", false, "format", "json"));

        assertThat(generated.status()).as(generated.text()).isEqualTo(200);
        assertThat(generated.json().path("response").asString()).isEqualTo("Four.");
        assertThat(generated.json().path("done_reason").asString()).isEqualTo("stop");
        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("messages").get(0).path("role").asString()).isEqualTo("system");
        assertThat(sent.path("messages").get(1).path("content").asString()).isEqualTo("2+2?");
        assertThat(sent.path("format").asString()).isEqualTo("json");
    }

    @Test
    void toolCallsComeWholeAndToolResultsFindTheirCallByName() {
        provider.enqueue(FakeChatServer.Script.text("").withToolCall("c1", "weather", "{\"city\":\"Paris\"}"),
                FakeChatServer.Script.text("Mild."));
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "weather", "parameters",
                Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))));
        Map<String, Object> ask = Map.of("role", "user", "content", "Weather in Paris?");
        Map<String, Object> first = chat("m", ask);
        first.put("tools", List.of(tool));
        first.put("stream", false);

        Api.Response called = post("/ollama/api/chat", first);

        assertThat(called.status()).as(called.text()).isEqualTo(200);
        JsonNode call = called.json().path("message").path("tool_calls").get(0).path("function");
        assertThat(call.path("name").asString()).isEqualTo("weather");
        assertThat(call.path("arguments").path("city").asString()).isEqualTo("Paris");

        Map<String, Object> second = chat("m", ask, Map.of("role", "assistant", "content", "", "tool_calls",
                List.of(Map.of("function", Map.of("name", "weather", "arguments", Map.of("city", "Paris"))))),
                Map.of("role", "tool", "tool_name", "weather", "content", "18 degrees"));
        second.put("tools", List.of(tool));

        Api.Response answered = post("/ollama/api/chat", second);

        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        JsonNode sent = provider.lastChat().body().path("messages");
        assertThat(sent.get(1).path("tool_calls").get(0).path("function").path("name").asString())
                .isEqualTo("weather");
        assertThat(sent.get(2).path("role").asString()).isEqualTo("tool");
        assertThat(sent.get(2).path("content").asString()).isEqualTo("18 degrees");
    }

    @Test
    void embedUsesTheCallersEmbeddingModel() {
        Knowledge knowledge = new Knowledge(api);
        UUID group = users.group(admin, "emb");
        users.member(admin, group, user, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-kn-secret-1234");

        Api.Response embedded = post("/ollama/api/embed", Map.of("model", "keywords-v1", "input",
                List.of("kiwi", "granite")));

        assertThat(embedded.status()).as(embedded.text()).isEqualTo(200);
        assertThat(embedded.json().path("model").asString()).isEqualTo("keywords-v1");
        assertThat(embedded.json().path("embeddings")).hasSize(2);
        assertThat(embedded.json().path("embeddings").get(0).size()).isPositive();
        assertThat(embedded.json().path("embeddings").get(0)).isNotEqualTo(embedded.json().path("embeddings").get(1));

        Api.Response single = post("/ollama/api/embed", Map.of("model", "keywords-v1", "input", "kiwi"));
        assertThat(single.json().path("embeddings").get(0)).isEqualTo(embedded.json().path("embeddings").get(0));
    }

    @Test
    void errorsComeInOllamasShapeWithTheirStatus() {
        Api.Response unknown = post("/ollama/api/chat", chat("nothing", Map.of("role", "user", "content", "Hi")));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asString()).contains("nothing");

        Map<String, Object> invalid = chat("m", Map.of("role", "wizard", "content", "Hi"));
        Api.Response refused = post("/ollama/api/chat", invalid);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").asString()).contains("role");

        Api.Response orphan = post("/ollama/api/chat", chat("m", Map.of("role", "user", "content", "Hi"),
                Map.of("role", "tool", "tool_name", "weather", "content", "18")));
        assertThat(orphan.status()).isEqualTo(400);

        Api.Response anonymous = api.post("/ollama/api/chat", chat("m", Map.of("role", "user", "content", "Hi")),
                null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().path("error").asString()).isNotBlank();
        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count()).isZero();

        provider.enqueue(FakeChatServer.Script.failure(400).withStatus(400, -1, "context too long"),
                FakeChatServer.Script.text("one two three").inChunks(3).failMidStream("model crashed"));
        Api.Response failed = post("/ollama/api/generate", Map.of("model", "m", "prompt", "Hi"));
        assertThat(failed.status()).as(failed.text()).isEqualTo(400);
        assertThat(failed.header("Content-Type")).startsWith("application/json");
        assertThat(failed.json().path("error").asString()).contains("context too long");

        Api.Response broken = post("/ollama/api/chat", chat("m", Map.of("role", "user", "content", "Hi")));
        assertThat(broken.status()).isEqualTo(200);
        List<JsonNode> lines = lines(broken.text());
        assertThat(lines.getFirst().path("message").path("content").asString()).startsWith("one");
        assertThat(lines.getLast().path("error").asString()).isNotBlank();
        assertThat(lines.stream().anyMatch(line -> line.path("done").asBoolean())).isFalse();
    }

    @Test
    void aClientThatGoesAwayCancelsTheProviderCallEvenWhileTheModelIsSilent() throws Exception {
        provider.enqueue(FakeChatServer.Script.text("a b c d e f g h").inChunks(8).stallAfter(1,
                StreamHeartbeats.INTERVAL.multipliedBy(4)));
        byte[] body = JSON.writeValueAsBytes(chat("m", Map.of("role", "user", "content", "Hi")));
        URI base = URI.create(api.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /ollama/api/chat HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nAuthorization: Bearer " + user.token() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(reader.readLine()).startsWith("HTTP/1.1 200");
            String line;
            while ((line = reader.readLine()) != null && !line.contains("\"content\":\"a")) {
                // headers, then chunk sizes
            }
            assertThat(line).as("the first piece").isNotNull();
        }

        long deadline = System.nanoTime() + StreamHeartbeats.INTERVAL.multipliedBy(10).toNanos();
        while (provider.disconnects() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(provider.disconnects()).as("the provider saw its connection closed").isEqualTo(1);
        assertThat(provider.completed()).as("the provider never finished the answer").isZero();
    }
}
