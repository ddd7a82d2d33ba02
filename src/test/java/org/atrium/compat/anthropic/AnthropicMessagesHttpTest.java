package org.atrium.compat.anthropic;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/messages} on the wire, over an OpenAI-compatible provider (any kind answers it): the request and
 * the answer translated both ways, the stream's events in Anthropic's order, a tool round trip, failures before and
 * while streaming, and refusals, all in Anthropic's shapes, with the key in {@code x-api-key} as Anthropic's SDKs
 * send it.
 */
class AnthropicMessagesHttpTest extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ScriptCaller caller;
    private FakeChatServer provider;
    private String model;

    @BeforeEach
    void start() {
        caller = ScriptCaller.create(api, users);
        provider = caller.provider();
        model = caller.model();
    }

    @AfterEach
    void stop() {
        caller.close(api);
    }

    private Api.Response messages(Object body) {
        return api.send("POST", "/api/v1/messages", body, Map.of("x-api-key", caller.key(),
                "anthropic-version", "2023-06-01"));
    }

    private Map<String, Object> request(boolean stream, Object... messages) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("max_tokens", 100);
        body.put("stream", stream);
        body.put("messages", List.of(messages));
        return body;
    }

    /** Each event of a stream as {@code name} and its data. */
    private static List<Map.Entry<String, JsonNode>> events(String stream) {
        List<Map.Entry<String, JsonNode>> events = new ArrayList<>();
        String name = null;
        for (String line : stream.split("\n")) {
            if (line.startsWith("event: ")) {
                name = line.substring("event: ".length());
            } else if (line.startsWith("data: ")) {
                JsonNode data = JSON.readTree(line.substring("data: ".length()));
                assertThat(data.path("type").asString()).as("each event's data names its type").isEqualTo(name);
                events.add(Map.entry(name, data));
            }
        }
        return events;
    }

    @Test
    void aWholeMessageIsTranslatedToTheProviderAndBackInAnthropicsShape() {
        provider.enqueue(FakeChatServer.Script.text("Bonjour.").withUsage(9, 2));
        Map<String, Object> body = request(false, Map.of("role", "user", "content", List.of(
                Map.of("type", "text", "text", "Say hello "), Map.of("type", "text", "text", "in French."))));
        body.put("system", List.of(Map.of("type", "text", "text", "Be terse.")));
        body.put("temperature", 0.3);
        body.put("top_p", 0.9);
        body.put("stop_sequences", List.of("END"));
        body.put("metadata", Map.of("user_id", "someone"));

        Api.Response answered = messages(body);

        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        assertThat(answered.header("Content-Type")).startsWith("application/json");
        assertThat(answered.header("Server-Timing")).startsWith("atrium;dur=");
        JsonNode message = answered.json();
        assertThat(message.path("id").asString()).startsWith("msg_");
        assertThat(message.path("type").asString()).isEqualTo("message");
        assertThat(message.path("role").asString()).isEqualTo("assistant");
        assertThat(message.path("model").asString()).isEqualTo(model);
        assertThat(message.path("content").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"Bonjour.\"}]");
        assertThat(message.path("stop_reason").asString()).isEqualTo("end_turn");
        assertThat(message.path("stop_sequence").isNull()).isTrue();
        assertThat(message.path("usage").path("input_tokens").asInt()).isEqualTo(9);
        assertThat(message.path("usage").path("output_tokens").asInt()).isEqualTo(2);

        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("model").asString()).isEqualTo("m");
        assertThat(sent.path("messages").get(0).path("role").asString()).isEqualTo("system");
        assertThat(sent.path("messages").get(0).path("content").toString()).contains("Be terse.");
        assertThat(sent.path("messages").get(1).path("content").toString()).contains("Say hello ")
                .contains("in French.");
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(sent.path("stop").toString()).contains("END");
        assertThat(sent.toString()).contains("100");
        assertThat(sent.toString()).doesNotContain("someone");
    }

    @Test
    void aStreamIsAnthropicsEventsInAnthropicsOrder() {
        provider.enqueue(FakeChatServer.Script.text("Hello there").inChunks(2).withUsage(7, 3));

        Api.Response streamed = messages(request(true, Map.of("role", "user", "content", "Hi")));

        assertThat(streamed.status()).as(streamed.text()).isEqualTo(200);
        assertThat(streamed.header("Content-Type")).startsWith("text/event-stream");
        assertThat(streamed.header("Server-Timing")).startsWith("atrium;dur=");
        List<Map.Entry<String, JsonNode>> events = events(streamed.text());
        assertThat(events.stream().map(Map.Entry::getKey).toList()).containsExactly("message_start",
                "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop");
        JsonNode start = events.getFirst().getValue().path("message");
        assertThat(start.path("id").asString()).startsWith("msg_");
        assertThat(start.path("content").isEmpty()).isTrue();
        assertThat(start.path("stop_reason").isNull()).isTrue();
        assertThat(events.get(1).getValue().path("content_block").toString())
                .isEqualTo("{\"type\":\"text\",\"text\":\"\"}");
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, JsonNode> event : events.subList(3, 5)) {
            assertThat(event.getValue().path("index").asInt()).isZero();
            assertThat(event.getValue().path("delta").path("type").asString()).isEqualTo("text_delta");
            text.append(event.getValue().path("delta").path("text").asString());
        }
        assertThat(text.toString()).isEqualTo("Hello there");
        JsonNode delta = events.get(6).getValue();
        assertThat(delta.path("delta").path("stop_reason").asString()).isEqualTo("end_turn");
        assertThat(delta.path("usage").path("input_tokens").asInt()).isEqualTo(7);
        assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void aToolRoundTripGoesThroughToolUseAndToolResultBlocks() {
        provider.enqueue(FakeChatServer.Script.text("").withToolCall("call_1", "weather", "{\"city\":\"Paris\"}"),
                FakeChatServer.Script.text("It is 18 degrees in Paris."));
        Map<String, Object> tool = Map.of("name", "weather", "description", "The weather in a city",
                "input_schema", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"))));
        Map<String, Object> ask = Map.of("role", "user", "content", "Weather in Paris?");
        Map<String, Object> first = request(true, ask);
        first.put("tools", List.of(tool));
        first.put("tool_choice", Map.of("type", "any"));

        Api.Response called = messages(first);

        assertThat(called.status()).as(called.text()).isEqualTo(200);
        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("tools").get(0).path("function").path("name").asString()).isEqualTo("weather");
        assertThat(sent.path("tools").get(0).path("function").path("parameters").path("properties").has("city"))
                .isTrue();
        assertThat(sent.path("tool_choice").asString()).isEqualTo("required");
        List<Map.Entry<String, JsonNode>> events = events(called.text());
        JsonNode block = events.stream().filter(e -> e.getKey().equals("content_block_start")).findFirst()
                .orElseThrow().getValue().path("content_block");
        assertThat(block.path("type").asString()).isEqualTo("tool_use");
        assertThat(block.path("id").asString()).isEqualTo("call_1");
        assertThat(block.path("name").asString()).isEqualTo("weather");
        StringBuilder input = new StringBuilder();
        events.stream().filter(e -> e.getKey().equals("content_block_delta")).forEach(e -> {
            assertThat(e.getValue().path("delta").path("type").asString()).isEqualTo("input_json_delta");
            input.append(e.getValue().path("delta").path("partial_json").asString());
        });
        assertThat(JSON.readTree(input.toString()).path("city").asString()).isEqualTo("Paris");
        assertThat(events.get(events.size() - 2).getValue().path("delta").path("stop_reason").asString())
                .isEqualTo("tool_use");

        Map<String, Object> second = request(false, ask, Map.of("role", "assistant", "content", List.of(
                Map.of("type", "tool_use", "id", "call_1", "name", "weather", "input", Map.of("city", "Paris")))),
                Map.of("role", "user", "content", List.of(Map.of("type", "tool_result", "tool_use_id", "call_1",
                        "content", "18 degrees"))));
        second.put("tools", List.of(tool));

        Api.Response answered = messages(second);

        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        assertThat(answered.json().path("content").get(0).path("text").asString()).contains("18 degrees");
        JsonNode conversation = provider.lastChat().body().path("messages");
        assertThat(conversation).hasSize(3);
        JsonNode call = conversation.get(1).path("tool_calls").get(0);
        assertThat(call.path("id").asString()).isEqualTo("call_1");
        assertThat(call.path("function").path("name").asString()).isEqualTo("weather");
        assertThat(JSON.readTree(call.path("function").path("arguments").asString()).path("city").asString())
                .isEqualTo("Paris");
        assertThat(conversation.get(2).path("role").asString()).isEqualTo("tool");
        assertThat(conversation.get(2).path("tool_call_id").asString()).isEqualTo("call_1");
        assertThat(conversation.get(2).path("content").toString()).contains("18 degrees");
    }

    @Test
    void aWholeAnswerCallingAToolHasAToolUseBlock() {
        provider.enqueue(FakeChatServer.Script.text("Let me look.").withToolCall("call_7", "weather",
                "{\"city\":\"Oslo\"}"));
        Map<String, Object> body = request(false, Map.of("role", "user", "content", "Weather in Oslo?"));
        body.put("tools", List.of(Map.of("name", "weather", "input_schema", Map.of("type", "object"))));

        Api.Response answered = messages(body);

        assertThat(answered.status()).as(answered.text()).isEqualTo(200);
        JsonNode content = answered.json().path("content");
        assertThat(content.get(0).path("text").asString()).isEqualTo("Let me look.");
        assertThat(content.get(1).path("type").asString()).isEqualTo("tool_use");
        assertThat(content.get(1).path("id").asString()).isEqualTo("call_7");
        assertThat(content.get(1).path("input").path("city").asString()).isEqualTo("Oslo");
        assertThat(answered.json().path("stop_reason").asString()).isEqualTo("tool_use");
    }

    @Test
    void aFailureBeforeTheFirstOutputIsAnthropicsErrorWithItsStatusAndOneWhileStreamingAnErrorEvent() {
        provider.enqueue(FakeChatServer.Script.failure(400).withStatus(400, -1, "prompt is too long"),
                FakeChatServer.Script.failure(400).withStatus(400, -1, "prompt is too long"),
                FakeChatServer.Script.text("one two three").inChunks(3).failMidStream("overloaded"));

        for (boolean stream : List.of(false, true)) {
            Api.Response failed = messages(request(stream, Map.of("role", "user", "content", "Hi")));
            assertThat(failed.status()).as(failed.text()).isEqualTo(400);
            assertThat(failed.header("Content-Type")).startsWith("application/json");
            assertThat(failed.json().path("type").asString()).isEqualTo("error");
            assertThat(failed.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
            assertThat(failed.json().path("error").path("code").asString()).isEqualTo("provider_rejected");
            assertThat(failed.json().path("error").path("message").asString()).contains("prompt is too long");
        }

        Api.Response broken = messages(request(true, Map.of("role", "user", "content", "Hi")));
        assertThat(broken.status()).isEqualTo(200);
        List<Map.Entry<String, JsonNode>> events = events(broken.text());
        assertThat(events.getFirst().getKey()).isEqualTo("message_start");
        assertThat(events.getLast().getKey()).isEqualTo("error");
        assertThat(events.getLast().getValue().path("error").path("type").asString()).isNotBlank();
        assertThat(events.stream().map(Map.Entry::getKey)).doesNotContain("message_stop");
    }

    @Test
    void invalidRequestsAreRefusedInAnthropicsShapeBeforeAnyProviderCall() {
        Map<String, Object> noMaxTokens = request(false, Map.of("role", "user", "content", "Hi"));
        noMaxTokens.remove("max_tokens");
        Api.Response missing = messages(noMaxTokens);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("type").asString()).isEqualTo("error");
        assertThat(missing.json().path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(missing.json().path("error").path("message").asString()).contains("max");

        Api.Response orphan = messages(request(false, Map.of("role", "user", "content", List.of(Map.of("type",
                "tool_result", "tool_use_id", "toolu_9", "content", "42")))));
        assertThat(orphan.status()).isEqualTo(400);
        assertThat(orphan.json().path("error").path("message").asString())
                .contains("messages[0].content[0].tool_use_id");

        Api.Response document = messages(request(false, Map.of("role", "user", "content", List.of(Map.of("type",
                "document", "source", Map.of())))));
        assertThat(document.status()).isEqualTo(400);

        Map<String, Object> unknownModel = request(false, Map.of("role", "user", "content", "Hi"));
        unknownModel.put("model", "nobody/nothing");
        Api.Response notFound = messages(unknownModel);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.json().path("error").path("type").asString()).isEqualTo("not_found_error");

        Api.Response anonymous = api.send("POST", "/api/v1/messages", request(false, Map.of("role", "user",
                "content", "Hi")), Map.of());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().path("error").path("type").asString()).isEqualTo("authentication_error");

        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count()).isZero();
    }
}
