package org.atrium.providers;

import org.atrium.providers.ProviderConnection.Type;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.FakeChatServer.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each provider kind's translation, through real HTTP to the fake that speaks its wire format: what Atrium sends
 * (messages, system prompt, images, tools, tool results, structured output, parameters) and how it reads the stream
 * (text, tool calls, usage, finish reasons).
 */
class ChatTranslationTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final FakeChatServer SERVER = FakeChatServer.start();
    private static final ChatProviders PROVIDERS = new ChatProviders(JSON, null, ChatResilience.DEFAULTS);
    private static final String PNG = "data:image/png;base64,iVBORw0KGgo=";
    private static final JsonNode WEATHER_SCHEMA = JSON.readTree("""
            {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    @BeforeEach
    void reset() {
        SERVER.reset();
    }

    static ProviderEndpoint endpoint(FakeChatServer server, Type type) {
        String url = switch (type) {
            case OPENAI -> server.openAiBaseUrl();
            case OLLAMA -> server.ollamaBaseUrl();
            case ANTHROPIC -> server.anthropicBaseUrl();
            case GEMINI -> server.geminiBaseUrl();
            case LOCAL -> throw new IllegalArgumentException();
        };
        return new ProviderEndpoint(new ProviderConnection(type.name().toLowerCase(Locale.ROOT), type,
                URI.create(url)), Map.of(), new CallTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofSeconds(10)), true);
    }

    private static ChatRequest conversation() {
        return ChatRequest.of("m-1", List.of(ChatMessage.system("Be brief."),
                ChatMessage.user(List.of(new ContentPart.Text("What is this?"), new ContentPart.Image(PNG))),
                ChatMessage.assistant("A logo."), ChatMessage.user("Thanks")))
                .withParameters(0.2, 0.9, 100, List.of("END"), 7L);
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA", "ANTHROPIC", "GEMINI"})
    void textStreamsInChunksWithTheProvidersUsage(Type type) throws InterruptedException {
        SERVER.enqueue(Script.text("Hello there, friend").inChunks(4).withUsage(21, 6));
        RecordingListener listener = new RecordingListener();

        ChatHandle handle = PROVIDERS.stream(endpoint(SERVER, type), "key-1", conversation(), listener);
        listener.awaitEnd();

        assertThat(listener.failure).isNull();
        assertThat(listener.texts).hasSize(4);
        assertThat(String.join("", listener.texts)).isEqualTo("Hello there, friend");
        assertThat(listener.usage).isEqualTo(new TokenUsage(21, 6, false));
        assertThat(listener.events).endsWith("usage", "complete");
        ChatResult result = handle.result().join();
        assertThat(result.text()).isEqualTo("Hello there, friend");
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.timeToFirstToken()).isNotNull().isLessThanOrEqualTo(result.duration());
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA", "ANTHROPIC", "GEMINI"})
    void missingUsageIsCountedWithTheTokenizerAndMarkedEstimated(Type type) {
        SERVER.enqueue(Script.text("one two three four").withoutUsage());

        ChatResult result = PROVIDERS.complete(endpoint(SERVER, type), "k", conversation());

        assertThat(result.usage().estimated()).isTrue();
        assertThat(result.usage().outputTokens()).isBetween(3, 6);
        assertThat(result.usage().inputTokens()).isBetween(10, 60);
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA", "ANTHROPIC", "GEMINI"})
    void toolCallsStreamAndCompleteWithTheirArguments(Type type) throws InterruptedException {
        SERVER.enqueue(Script.text("Let me check.").withToolCall("call_7", "get_weather", "{\"city\":\"Paris\"}"));
        RecordingListener listener = new RecordingListener();
        ChatRequest request = conversation().withTools(List.of(
                new ToolDefinition("get_weather", "Weather by city", WEATHER_SCHEMA)));

        PROVIDERS.stream(endpoint(SERVER, type), "k", request, listener);
        listener.awaitEnd();

        assertThat(listener.failure).isNull();
        assertThat(listener.toolCalls).hasSize(1);
        ToolCall call = listener.toolCalls.getFirst();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.arguments())).isEqualTo(JSON.readTree("{\"city\":\"Paris\"}"));
        if (type == Type.OPENAI || type == Type.ANTHROPIC) {
            assertThat(call.id()).isEqualTo("call_7");
        } else {
            assertThat(call.id()).startsWith("call_");
        }
        assertThat(listener.toolDeltas.getFirst().name()).isEqualTo("get_weather");
        assertThat(listener.result.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(listener.result.text()).isEqualTo("Let me check.");
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA", "ANTHROPIC", "GEMINI"})
    void lengthAndContentFilterFinishReasonsAreMapped(Type type) {
        SERVER.enqueue(Script.text("cut").withFinish("length"));
        assertThat(PROVIDERS.complete(endpoint(SERVER, type), "k", conversation()).finishReason())
                .isEqualTo(FinishReason.LENGTH);
        if (type != Type.OLLAMA) {
            SERVER.enqueue(Script.text("no").withFinish("content_filter"));
            assertThat(PROVIDERS.complete(endpoint(SERVER, type), "k", conversation()).finishReason())
                    .isEqualTo(FinishReason.CONTENT_FILTER);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA", "ANTHROPIC", "GEMINI"})
    void anErrorInsideTheStreamFailsTheCallWithTheProvidersMessage(Type type) throws InterruptedException {
        SERVER.enqueue(Script.text("partial answer").inChunks(2).failMidStream("Overloaded, key k-9 busy"));
        RecordingListener listener = new RecordingListener();

        PROVIDERS.stream(endpoint(SERVER, type), "k-9", conversation(), listener);
        listener.awaitEnd();

        assertThat(listener.texts).hasSize(2);
        assertThat(listener.failure.code()).isEqualTo(ProviderFailure.UNAVAILABLE);
        assertThat(listener.failure.getMessage()).contains("Overloaded, key [redacted] busy");
        assertThat(SERVER.requests()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "ANTHROPIC"})
    void aStreamClosedAfterItsFinishReasonWithoutTheEndMarkerIsComplete(Type type) {
        SERVER.omitEndMarkers(true).enqueue(Script.text("all there").withUsage(3, 2));

        ChatResult result = PROVIDERS.complete(endpoint(SERVER, type), "k", conversation());

        assertThat(result.text()).isEqualTo("all there");
        assertThat(result.usage()).isEqualTo(new TokenUsage(3, 2, false));
        assertThat(result.attempts()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA", "ANTHROPIC"})
    void aCompleteStreamLeavesItsConnectionForTheNextCall(Type type) throws InterruptedException {
        ProviderEndpoint endpoint = endpoint(SERVER, type);
        PROVIDERS.complete(endpoint, "k", conversation());
        Thread.sleep(50);
        PROVIDERS.complete(endpoint, "k", conversation());

        assertThat(SERVER.requests()).extracting(FakeChatServer.Received::port).hasSize(2).containsOnly(
                SERVER.requests().getFirst().port());
    }

    @Test
    void aPreparedCallRunsOnceAndRefusesASecondRun() {
        RecordingListener listener = new RecordingListener();
        ChatCall call = PROVIDERS.prepare(endpoint(SERVER, Type.OPENAI), "k", conversation(), listener);
        call.run();

        assertThatThrownBy(call::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("once");
        assertThat(SERVER.requests()).hasSize(1);
        assertThat(call.result()).isCompleted();
    }

    @Test
    void openAiGetsMessagesPartsToolsAndParametersInItsFormat() {
        PROVIDERS.complete(endpoint(SERVER, Type.OPENAI), "sk-1", withToolRound(conversation())
                .withResponseFormat(ResponseFormat.jsonSchema("weather", WEATHER_SCHEMA)));

        FakeChatServer.Received sent = SERVER.lastChat();
        JsonNode body = sent.body();
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.headers()).containsEntry("authorization", "Bearer sk-1");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        JsonNode messages = body.path("messages");
        assertThat(messages.path(0).path("role").asString()).isEqualTo("system");
        assertThat(messages.path(1).path("content").path(1).path("image_url").path("url").asString()).isEqualTo(PNG);
        assertThat(messages.path(1).path("content").path(0).path("type").asString()).isEqualTo("text");
        assertThat(messages.path(4).path("tool_calls").path(0).path("function").path("name").asString())
                .isEqualTo("get_weather");
        assertThat(messages.path(5).path("role").asString()).isEqualTo("tool");
        assertThat(messages.path(5).path("tool_call_id").asString()).isEqualTo("call_1");
        assertThat(body.path("tools").path(0).path("function").path("parameters")).isEqualTo(WEATHER_SCHEMA);
        assertThat(body.path("response_format").path("type").asString()).isEqualTo("json_schema");
        assertThat(body.path("response_format").path("json_schema").path("schema")).isEqualTo(WEATHER_SCHEMA);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(body.path("stop").path(0).asString()).isEqualTo("END");
        assertThat(body.path("seed").asInt()).isEqualTo(7);
    }

    @Test
    void ollamaGetsBase64ImagesObjectArgumentsAndOptions() {
        PROVIDERS.complete(endpoint(SERVER, Type.OLLAMA), null, withToolRound(conversation())
                .withResponseFormat(ResponseFormat.jsonObject()));

        FakeChatServer.Received sent = SERVER.lastChat();
        JsonNode body = sent.body();
        assertThat(sent.path()).isEqualTo("/api/chat");
        assertThat(sent.headers()).doesNotContainKey("authorization");
        JsonNode messages = body.path("messages");
        assertThat(messages.path(1).path("content").asString()).isEqualTo("What is this?");
        assertThat(messages.path(1).path("images").path(0).asString()).isEqualTo("iVBORw0KGgo=");
        assertThat(messages.path(4).path("tool_calls").path(0).path("function").path("arguments").path("city")
                .asString()).isEqualTo("Paris");
        assertThat(messages.path(5).path("role").asString()).isEqualTo("tool");
        assertThat(messages.path(5).path("tool_name").asString()).isEqualTo("get_weather");
        assertThat(body.path("format").asString()).isEqualTo("json");
        assertThat(body.path("options").path("num_predict").asInt()).isEqualTo(100);
        assertThat(body.path("options").path("stop").path(0).asString()).isEqualTo("END");
        assertThat(body.path("options").path("seed").asInt()).isEqualTo(7);
        assertThat(body.path("tools").path(0).path("function").path("name").asString()).isEqualTo("get_weather");
    }

    @Test
    void ollamaRefusesImageLinksBeforeAnyRequest() {
        ChatRequest linked = ChatRequest.of("m", List.of(ChatMessage.user(List.of(
                new ContentPart.Image("https://example.com/cat.png")))));

        assertThatThrownBy(() -> PROVIDERS.stream(endpoint(SERVER, Type.OLLAMA), null, linked,
                new RecordingListener())).isInstanceOfSatisfying(ProviderFailure.class, failure ->
                assertThat(failure.code()).isEqualTo(ProviderFailure.UNSUPPORTED));
        assertThat(SERVER.requests()).isEmpty();
    }

    @Test
    void anthropicGetsATopLevelSystemPromptBase64ImagesAndToolBlocks() {
        PROVIDERS.complete(endpoint(SERVER, Type.ANTHROPIC), "ak-1", withToolRound(conversation())
                .withResponseFormat(ResponseFormat.jsonSchema("weather", WEATHER_SCHEMA)));

        FakeChatServer.Received sent = SERVER.lastChat();
        JsonNode body = sent.body();
        assertThat(sent.path()).isEqualTo("/anthropic/v1/messages");
        assertThat(sent.headers()).containsEntry("x-api-key", "ak-1").containsEntry("anthropic-version", "2023-06-01");
        assertThat(body.path("system").asString()).startsWith("Be brief.").contains("JSON Schema")
                .contains("\"city\"");
        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(5);
        JsonNode image = messages.path(0).path("content").path(1);
        assertThat(image.path("type").asString()).isEqualTo("image");
        assertThat(image.path("source").path("type").asString()).isEqualTo("base64");
        assertThat(image.path("source").path("media_type").asString()).isEqualTo("image/png");
        assertThat(image.path("source").path("data").asString()).isEqualTo("iVBORw0KGgo=");
        JsonNode toolUse = messages.path(3).path("content").path(0);
        assertThat(toolUse.path("type").asString()).isEqualTo("tool_use");
        assertThat(toolUse.path("input").path("city").asString()).isEqualTo("Paris");
        JsonNode toolResult = messages.path(4).path("content").path(0);
        assertThat(messages.path(4).path("role").asString()).isEqualTo("user");
        assertThat(toolResult.path("type").asString()).isEqualTo("tool_result");
        assertThat(toolResult.path("tool_use_id").asString()).isEqualTo("call_1");
        assertThat(body.path("tools").path(0).path("input_schema")).isEqualTo(WEATHER_SCHEMA);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(body.path("stop_sequences").path(0).asString()).isEqualTo("END");
        assertThat(body.has("seed")).isFalse();
    }

    @Test
    void anthropicNeedsMaxTokensAndGetsTheDefault() {
        PROVIDERS.complete(endpoint(SERVER, Type.ANTHROPIC), "k", ChatRequest.of("m",
                List.of(ChatMessage.user("hi"))));

        assertThat(SERVER.lastChat().body().path("max_tokens").asInt())
                .isEqualTo(ChatRequest.ANTHROPIC_DEFAULT_MAX_TOKENS);
        assertThat(SERVER.lastChat().body().has("system")).isFalse();
    }

    @Test
    void geminiGetsContentsPartsSystemInstructionFunctionsAndGenerationConfig() {
        PROVIDERS.complete(endpoint(SERVER, Type.GEMINI), "gk-1", withToolRound(conversation())
                .withResponseFormat(ResponseFormat.jsonSchema("weather", WEATHER_SCHEMA)));

        FakeChatServer.Received sent = SERVER.lastChat();
        JsonNode body = sent.body();
        assertThat(sent.path()).isEqualTo("/gemini/v1beta/models/m-1:streamGenerateContent?alt=sse");
        assertThat(sent.headers()).containsEntry("x-goog-api-key", "gk-1");
        assertThat(body.path("systemInstruction").path("parts").path(0).path("text").asString())
                .isEqualTo("Be brief.");
        JsonNode contents = body.path("contents");
        assertThat(contents.path(0).path("role").asString()).isEqualTo("user");
        assertThat(contents.path(0).path("parts").path(1).path("inlineData").path("mimeType").asString())
                .isEqualTo("image/png");
        assertThat(contents.path(1).path("role").asString()).isEqualTo("model");
        assertThat(contents.path(3).path("parts").path(0).path("functionCall").path("args").path("city").asString())
                .isEqualTo("Paris");
        JsonNode response = contents.path(4).path("parts").path(0).path("functionResponse");
        assertThat(response.path("name").asString()).isEqualTo("get_weather");
        assertThat(response.path("response").path("temperature").asInt()).isEqualTo(18);
        assertThat(body.path("tools").path(0).path("functionDeclarations").path(0).path("parametersJsonSchema"))
                .isEqualTo(WEATHER_SCHEMA);
        JsonNode config = body.path("generationConfig");
        assertThat(config.path("responseMimeType").asString()).isEqualTo("application/json");
        assertThat(config.path("responseJsonSchema")).isEqualTo(WEATHER_SCHEMA);
        assertThat(config.path("maxOutputTokens").asInt()).isEqualTo(100);
        assertThat(config.path("stopSequences").path(0).asString()).isEqualTo("END");
        assertThat(config.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(config.path("topP").asDouble()).isEqualTo(0.9);
        assertThat(config.path("seed").asInt()).isEqualTo(7);
    }

    @Test
    void imageLinksGoAsUrlsWhereTheProviderTakesThem() {
        ChatRequest linked = ChatRequest.of("m", List.of(ChatMessage.user(List.of(new ContentPart.Text("see"),
                new ContentPart.Image("https://example.com/cat.png")))));

        PROVIDERS.complete(endpoint(SERVER, Type.ANTHROPIC), "k", linked);
        assertThat(SERVER.lastChat().body().path("messages").path(0).path("content").path(1).path("source"))
                .isEqualTo(JSON.readTree("{\"type\":\"url\",\"url\":\"https://example.com/cat.png\"}"));

        PROVIDERS.complete(endpoint(SERVER, Type.GEMINI), "k", linked);
        assertThat(SERVER.lastChat().body().path("contents").path(0).path("parts").path(1).path("fileData"))
                .isEqualTo(JSON.readTree("{\"mimeType\":\"image/png\",\"fileUri\":\"https://example.com/cat.png\"}"));
    }

    /** The conversation, then the assistant calling a tool and the tool's result. */
    private static ChatRequest withToolRound(ChatRequest request) {
        ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}");
        List<ChatMessage> messages = new java.util.ArrayList<>(request.messages());
        messages.add(ChatMessage.assistant(null, List.of(call)));
        messages.add(ChatMessage.toolResult(call, "{\"temperature\":18}"));
        return new ChatRequest(request.model(), messages, List.of(new ToolDefinition("get_weather", "Weather",
                WEATHER_SCHEMA)), request.toolChoice(), request.responseFormat(), request.temperature(),
                request.topP(), request.maxTokens(), request.stop(), request.seed());
    }
}
