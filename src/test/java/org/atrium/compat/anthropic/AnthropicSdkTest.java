package org.atrium.compat.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Anthropic's official Java SDK, unchanged but for base URL ({@code <atrium>/api}, to which it appends
 * {@code /v1/messages}) and key (an Atrium API key, which it sends as {@code x-api-key}), against an OpenAI-compatible
 * provider: a whole message, a stream accumulated by the SDK, and errors raised as the SDK's own exceptions.
 */
class AnthropicSdkTest extends IntegrationTest {

    private ScriptCaller caller;
    private FakeChatServer provider;
    private String model;
    private AnthropicClient client;

    @BeforeEach
    void start() {
        caller = ScriptCaller.create(api, users);
        provider = caller.provider();
        model = caller.model();
        client = client(caller.key());
    }

    @AfterEach
    void stop() {
        client.close();
        caller.close(api);
    }

    private AnthropicClient client(String key) {
        return AnthropicOkHttpClient.builder().baseUrl(api.baseUrl() + "/api").apiKey(key).maxRetries(0).build();
    }

    private MessageCreateParams params(String modelName) {
        return MessageCreateParams.builder().model(modelName).maxTokens(100).system("Be terse.")
                .addUserMessage("Say hello in French.").build();
    }

    @Test
    void aWholeMessageReadsAsTheSdksMessage() {
        provider.enqueue(FakeChatServer.Script.text("Bonjour.").withUsage(9, 2));

        Message message = client.messages().create(params(model));

        assertThat(message.id()).startsWith("msg_");
        assertThat(message.content()).hasSize(1);
        assertThat(message.content().getFirst().text().orElseThrow().text()).isEqualTo("Bonjour.");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(9);
        assertThat(message.usage().outputTokens()).isEqualTo(2);
        assertThat(provider.lastChat().body().path("messages").get(0).path("content").toString())
                .contains("Be terse.");
    }

    @Test
    void aStreamAccumulatesIntoTheSameMessage() {
        provider.enqueue(FakeChatServer.Script.text("Bonjour le monde.").inChunks(3).withUsage(7, 4));
        MessageAccumulator accumulator = MessageAccumulator.create();

        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params(model))) {
            stream.stream().forEach(accumulator::accumulate);
        }

        Message message = accumulator.message();
        assertThat(message.content().getFirst().text().orElseThrow().text()).isEqualTo("Bonjour le monde.");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().outputTokens()).isEqualTo(4);
    }

    @Test
    void errorsAreTheSdksOwnExceptions() {
        assertThatThrownBy(() -> client.messages().create(params("nobody/nothing")))
                .isInstanceOf(NotFoundException.class);
        AnthropicClient stranger = client("not-a-key");
        try {
            assertThatThrownBy(() -> stranger.messages().create(params(model)))
                    .isInstanceOf(UnauthorizedException.class);
        } finally {
            stranger.close();
        }
        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count()).isZero();
    }
}
