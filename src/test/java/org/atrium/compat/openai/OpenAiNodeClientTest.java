package org.atrium.compat.openai;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.NodePackages;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAI-compatible API driven by the official {@code openai} package from npm, run by the machine's Node
 * ({@code src/test/node/openai-client.mjs}, unchanged OpenAI client code but for base URL and key): models, a
 * completion, a stream with usage, a tool call round trip, JSON Schema output, embeddings and an error. Needs Node and
 * {@code npm ci} in {@code src/test/node}; skipped without them, except where {@code ATRIUM_TEST_REQUIRE_NODE=true}
 * (as {@code .ci/run} sets after installing them), where it fails instead.
 */
class OpenAiNodeClientTest extends IntegrationTest {

    private static final Path CLIENTS = NodePackages.DIRECTORY;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FakeChatServer provider;
    private String connectionId;
    private TestUsers.Account admin;

    @AfterEach
    void stop() {
        if (provider != null) {
            api.delete("/api/v1/connections/" + connectionId, admin.token());
            provider.close();
        }
    }

    @Test
    void theOfficialNodeClientWorksWithOnlyTheBaseUrlAndKeyChanged() throws Exception {
        NodePackages.require("openai");
        admin = users.admin();
        provider = FakeChatServer.start().models("m");
        String connection = "node-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionId = created.json().path("id").asString();
        TestUsers.Account user = users.user();
        assertThat(api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key", "name",
                "mine", "secret", "sk-upstream-0123456789abcdef"), user.token()).status()).isEqualTo(201);
        Knowledge knowledge = new Knowledge(api);
        UUID group = users.group(admin, "node");
        users.member(admin, group, user, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-kn-secret-1234");
        String key = api.post("/api/v1/api-keys", Map.of("name", "node"), user.token()).json().path("key").asString();
        provider.enqueue(FakeChatServer.Script.text("Rooms B1 to B4.").withUsage(21, 6),
                FakeChatServer.Script.text("one two three four").inChunks(4).withUsage(9, 4),
                FakeChatServer.Script.text("").withToolCall("call_7", "get_weather", "{\"city\":\"Oslo\"}"),
                FakeChatServer.Script.text("It is 4 degrees in Oslo."),
                FakeChatServer.Script.text("{\"deadline\":\"2027-01-31\"}"));

        ProcessBuilder run = new ProcessBuilder("node", "openai-client.mjs").directory(CLIENTS.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        run.environment().put("ATRIUM_BASE_URL", api.baseUrl() + "/v1");
        run.environment().put("ATRIUM_API_KEY", key);
        run.environment().put("ATRIUM_MODEL", connection + "/m");
        run.environment().put("ATRIUM_EMBEDDING_MODEL", "keywords-v1");
        Process process = run.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        JsonNode result = JSON.readTree(output);

        assertThat(result.path("models").toString()).contains(connection + "/m");
        assertThat(result.path("completion").path("text").asString()).isEqualTo("Rooms B1 to B4.");
        assertThat(result.path("completion").path("finish").asString()).isEqualTo("stop");
        assertThat(result.path("completion").path("usage").path("total_tokens").asInt()).isEqualTo(27);
        assertThat(result.path("stream").path("text").asString()).isEqualTo("one two three four");
        assertThat(result.path("stream").path("usage").path("completion_tokens").asInt()).isEqualTo(4);
        assertThat(result.path("tools").path("finish").asString()).isEqualTo("tool_calls");
        assertThat(result.path("tools").path("name").asString()).isEqualTo("get_weather");
        assertThat(result.path("tools").path("arguments").asString()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(result.path("tools").path("answer").asString()).isEqualTo("It is 4 degrees in Oslo.");
        assertThat(result.path("structured").path("deadline").asString()).isEqualTo("2027-01-31");
        assertThat(result.path("embeddings").size()).isEqualTo(2);
        assertThat(result.path("embeddings").get(0).size()).isEqualTo(8);
        assertThat(result.path("error").path("status").asInt()).isEqualTo(404);
        assertThat(result.path("error").path("code").asString()).isEqualTo("model_not_found");
        assertThat(result.path("error").path("type").asString()).isEqualTo("invalid_request_error");

        // What the provider received for the tool round trip: the call and its result, as OpenAI would send them.
        JsonNode toolRound = provider.requests().stream().filter(r -> r.method().equals("POST"))
                .map(FakeChatServer.Received::body).filter(b -> b.path("messages").size() == 3).findFirst()
                .orElseThrow();
        assertThat(toolRound.path("messages").get(2).path("tool_call_id").asString()).isEqualTo("call_7");
        assertThat(toolRound.path("messages").get(2).path("content").toString()).contains("celsius");
    }
}
