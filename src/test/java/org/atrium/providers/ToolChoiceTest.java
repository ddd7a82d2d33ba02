package org.atrium.providers;

import org.atrium.providers.ProviderConnection.Type;
import org.atrium.testing.FakeChatServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.atrium.providers.ChatTranslationTest.JSON;
import static org.atrium.providers.ChatTranslationTest.endpoint;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The tool choice: which requests may carry one, and the exact JSON each provider kind receives for each choice,
 * through real HTTP to the fake that speaks its wire format; Ollama, which has no such parameter, drops the tools for
 * "none" and refuses to force a call.
 */
class ToolChoiceTest {

    @AutoClose
    private static final FakeChatServer SERVER = FakeChatServer.start();
    private static final ChatProviders PROVIDERS = new ChatProviders(JSON, null, ChatResilience.DEFAULTS);
    private static final JsonNode SCHEMA = JSON.readTree("""
            {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");
    private static final List<ToolDefinition> TOOLS = List.of(new ToolDefinition("get_weather", "Weather", SCHEMA),
            new ToolDefinition("get_time", "Local time", SCHEMA));
    private static final ChatRequest ASKING = ChatRequest.of("m-1", List.of(ChatMessage.user("Weather in Paris?")));

    @BeforeEach
    void reset() {
        SERVER.reset();
    }

    static Stream<Arguments> wireShapes() {
        return Stream.of(
                arguments(Type.OPENAI, ToolChoice.Mode.AUTO, "tool_choice", "\"auto\""),
                arguments(Type.OPENAI, ToolChoice.Mode.NONE, "tool_choice", "\"none\""),
                arguments(Type.OPENAI, ToolChoice.Mode.REQUIRED, "tool_choice", "\"required\""),
                arguments(Type.OPENAI, ToolChoice.function("get_time"), "tool_choice",
                        "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}"),
                arguments(Type.ANTHROPIC, ToolChoice.Mode.AUTO, "tool_choice", "{\"type\":\"auto\"}"),
                arguments(Type.ANTHROPIC, ToolChoice.Mode.NONE, "tool_choice", "{\"type\":\"none\"}"),
                arguments(Type.ANTHROPIC, ToolChoice.Mode.REQUIRED, "tool_choice", "{\"type\":\"any\"}"),
                arguments(Type.ANTHROPIC, ToolChoice.function("get_time"), "tool_choice",
                        "{\"type\":\"tool\",\"name\":\"get_time\"}"),
                arguments(Type.GEMINI, ToolChoice.Mode.AUTO, "toolConfig",
                        "{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}"),
                arguments(Type.GEMINI, ToolChoice.Mode.NONE, "toolConfig",
                        "{\"functionCallingConfig\":{\"mode\":\"NONE\"}}"),
                arguments(Type.GEMINI, ToolChoice.Mode.REQUIRED, "toolConfig",
                        "{\"functionCallingConfig\":{\"mode\":\"ANY\"}}"),
                arguments(Type.GEMINI, ToolChoice.function("get_time"), "toolConfig",
                        "{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_time\"]}}"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wireShapes")
    void eachKindGetsTheChoiceInItsOwnWordsBesideTheTools(Type type, ToolChoice choice, String field,
                                                         String expected) {
        JsonNode body = sent(type, ASKING.withTools(TOOLS).withToolChoice(choice));

        assertThat(body.get(field)).isEqualTo(JSON.readTree(expected));
        assertThat(body.path("tools")).isNotEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "ANTHROPIC", "GEMINI"})
    void noChoiceSendsNothingAndLeavesTheProvidersDefault(Type type) {
        JsonNode body = sent(type, ASKING.withTools(TOOLS));

        assertThat(body.path("tools")).isNotEmpty();
        assertNoChoice(body);
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA", "ANTHROPIC", "GEMINI"})
    void autoOrNoneWithoutToolsSendsNoChoiceTheApisWouldRefuse(Type type) {
        for (ToolChoice choice : List.of(ToolChoice.Mode.AUTO, ToolChoice.Mode.NONE)) {
            JsonNode body = sent(type, ASKING.withToolChoice(choice));

            assertThat(body.has("tools")).isFalse();
            assertNoChoice(body);
        }
    }

    @Test
    void ollamaGetsTheToolsForAutoAndNoneOfThemForNone() {
        JsonNode auto = sent(Type.OLLAMA, ASKING.withTools(TOOLS).withToolChoice(ToolChoice.Mode.AUTO));
        assertThat(auto.path("tools")).hasSize(2);
        assertNoChoice(auto);

        JsonNode none = sent(Type.OLLAMA, ASKING.withTools(TOOLS).withToolChoice(ToolChoice.Mode.NONE));
        assertThat(none.has("tools")).isFalse();
        assertNoChoice(none);
    }

    @Test
    void ollamaRefusesToForceAToolCallBeforeAnyRequest() {
        for (ToolChoice forced : List.of(ToolChoice.Mode.REQUIRED, ToolChoice.function("get_weather"))) {
            ChatRequest request = ASKING.withTools(TOOLS).withToolChoice(forced);

            assertThatThrownBy(() -> PROVIDERS.stream(endpoint(SERVER, Type.OLLAMA), null, request,
                    new RecordingListener())).isInstanceOfSatisfying(ProviderFailure.class, failure -> {
                        assertThat(failure.code()).isEqualTo(ProviderFailure.UNSUPPORTED);
                        assertThat(failure.status()).isEqualTo(org.springframework.http.HttpStatus.BAD_REQUEST);
                        assertThat(failure.getMessage()).contains("'ollama'").contains("cannot be made to call a tool");
                    });
        }
        assertThat(SERVER.requests()).isEmpty();
    }

    @Test
    void aChoiceThatForcesACallNeedsTools() {
        assertThatThrownBy(() -> ASKING.withToolChoice(ToolChoice.Mode.REQUIRED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A tool choice that requires a tool call needs at least one tool");
        assertThatThrownBy(() -> ASKING.withToolChoice(ToolChoice.function("get_weather")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A tool choice that requires a tool call needs at least one tool");
    }

    @Test
    void aNamedFunctionMustBeOneOfTheTools() {
        assertThatThrownBy(() -> ASKING.withTools(TOOLS).withToolChoice(ToolChoice.function("get_news")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The tool choice names the function 'get_news', which is not one of the request's tools");
        ChatRequest named = ASKING.withTools(TOOLS).withToolChoice(ToolChoice.function("get_time"));
        assertThatThrownBy(() -> named.withTools(TOOLS.subList(0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'get_time'");
        assertThatThrownBy(() -> ToolChoice.function("get time; drop"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names a function by");
    }

    @Test
    void theChoiceSurvivesTheOtherCopiesAndCanBeCleared() {
        ChatRequest named = ASKING.withTools(TOOLS).withToolChoice(ToolChoice.function("get_time"))
                .withResponseFormat(ResponseFormat.jsonObject()).withParameters(0.1, null, 50, List.of(), null)
                .withTools(TOOLS.reversed());

        assertThat(named.toolChoice()).isEqualTo(ToolChoice.function("get_time"));
        assertThat(named.toolChoice().requiresCall()).isTrue();
        assertThat(ToolChoice.Mode.AUTO.requiresCall()).isFalse();
        assertThat(named.withToolChoice(null).toolChoice()).isNull();
        assertThat(ASKING.toolChoice()).isNull();
    }

    /** @return the body the fake received for the request */
    private static JsonNode sent(Type type, ChatRequest request) {
        PROVIDERS.complete(endpoint(SERVER, type), "k", request);
        return SERVER.lastChat().body();
    }

    private static void assertNoChoice(JsonNode body) {
        assertThat(body.has("tool_choice")).isFalse();
        assertThat(body.has("toolConfig")).isFalse();
    }
}
