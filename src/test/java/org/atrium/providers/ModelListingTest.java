package org.atrium.providers;

import org.atrium.providers.ProviderConnection.Type;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.FakeChatServer.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Model listing of each provider kind against the fake, which speaks each list endpoint's real shape. */
class ModelListingTest {

    private static final FakeChatServer SERVER = FakeChatServer.start();
    private static final ChatProviders PROVIDERS = new ChatProviders(JsonMapper.builder().build(), null,
            ChatResilience.DEFAULTS);
    private static final CallTimeouts FAST = new CallTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3),
            Duration.ofSeconds(3), Duration.ofSeconds(5));

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    @BeforeEach
    void reset() {
        SERVER.reset();
        SERVER.models("model-a", "model-b", "model-c");
    }

    static ProviderEndpoint endpoint(Type type, String url) {
        return new ProviderEndpoint(new ProviderConnection(type.name().toLowerCase(java.util.Locale.ROOT), type,
                URI.create(url)), Map.of("X-Tenant", "t1"), FAST, true);
    }

    @Test
    void openAiListsModelsWithTheBearerCredential() {
        List<ProviderModel> models = PROVIDERS.listModels(endpoint(Type.OPENAI, SERVER.openAiBaseUrl()), " sk-1\n");

        assertThat(models).extracting(ProviderModel::id).containsExactly("model-a", "model-b", "model-c");
        FakeChatServer.Received request = SERVER.requests().getLast();
        assertThat(request.path()).isEqualTo("/v1/models");
        assertThat(request.headers()).containsEntry("authorization", "Bearer sk-1").containsEntry("x-tenant", "t1");
    }

    @Test
    void ollamaListsTagsWithoutACredential() {
        List<ProviderModel> models = PROVIDERS.listModels(endpoint(Type.OLLAMA, SERVER.ollamaBaseUrl()), null);

        assertThat(models).extracting(ProviderModel::id).containsExactly("model-a", "model-b", "model-c");
        assertThat(SERVER.requests().getLast().path()).isEqualTo("/api/tags");
        assertThat(SERVER.requests().getLast().headers()).doesNotContainKey("authorization");
    }

    @Test
    void anthropicFollowsEveryPageWithItsHeaders() {
        SERVER.pageSize(2);

        List<ProviderModel> models = PROVIDERS.listModels(endpoint(Type.ANTHROPIC, SERVER.anthropicBaseUrl()), "ak");

        assertThat(models).containsExactly(new ProviderModel("model-a", "Display model-a"),
                new ProviderModel("model-b", "Display model-b"), new ProviderModel("model-c", "Display model-c"));
        assertThat(SERVER.requests()).extracting(FakeChatServer.Received::path).containsExactly(
                "/anthropic/v1/models?limit=1000", "/anthropic/v1/models?limit=1000&after_id=model-b");
        assertThat(SERVER.requests().getFirst().headers()).containsEntry("x-api-key", "ak")
                .containsEntry("anthropic-version", "2023-06-01").doesNotContainKey("authorization");
    }

    @Test
    void geminiFollowsPageTokensAndKeepsOnlyModelsThatGenerateContent() {
        SERVER.pageSize(2);

        List<ProviderModel> models = PROVIDERS.listModels(endpoint(Type.GEMINI, SERVER.geminiBaseUrl()), "gk");

        assertThat(models).extracting(ProviderModel::id).containsExactly("model-a", "model-b", "model-c");
        assertThat(models.getFirst()).isEqualTo(new ProviderModel("model-a", "Display model-a", 1048576, 65536));
        assertThat(SERVER.requests()).extracting(FakeChatServer.Received::path).containsExactly(
                "/gemini/v1beta/models?pageSize=1000", "/gemini/v1beta/models?pageSize=1000&pageToken=2");
        assertThat(SERVER.requests().getFirst().headers()).containsEntry("x-goog-api-key", "gk");
        assertThat(SERVER.requests().getFirst().path()).doesNotContain("gk");
    }

    @Test
    void aRefusedCredentialIsAnAuthFailureWithoutTheSecret() {
        SERVER.failModels(Script.failure(401).withStatus(401, -1, "Invalid key sk-secret-1"));

        assertThatThrownBy(() -> PROVIDERS.listModels(endpoint(Type.OPENAI, SERVER.openAiBaseUrl()), "sk-secret-1"))
                .isInstanceOfSatisfying(ProviderFailure.class, failure -> {
                    assertThat(failure.code()).isEqualTo(ProviderFailure.AUTH_FAILED);
                    assertThat(failure.status()).isEqualTo(HttpStatus.BAD_GATEWAY);
                    assertThat(failure.providerStatus()).isEqualTo(401);
                    assertThat(failure.getMessage()).contains("Invalid key [redacted]").doesNotContain("sk-secret-1");
                });
    }

    @Test
    void aRateLimitCarriesRetryAfterAndAServerErrorIsUnavailable() {
        SERVER.failModels(Script.failure(429).withStatus(429, 7, "slow down"));
        assertThatThrownBy(() -> PROVIDERS.listModels(endpoint(Type.ANTHROPIC, SERVER.anthropicBaseUrl()), "k"))
                .isInstanceOfSatisfying(ProviderFailure.class, failure -> {
                    assertThat(failure.code()).isEqualTo(ProviderFailure.RATE_LIMITED);
                    assertThat(failure.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
                    assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(failure.headers()).containsEntry("Retry-After", "7");
                    assertThat(failure.getMessage()).contains("slow down");
                });

        SERVER.failModels(Script.failure(503));
        assertThatThrownBy(() -> PROVIDERS.listModels(endpoint(Type.GEMINI, SERVER.geminiBaseUrl()), "k"))
                .isInstanceOfSatisfying(ProviderFailure.class, failure ->
                        assertThat(failure.code()).isEqualTo(ProviderFailure.UNAVAILABLE));
    }

    @Test
    void aSlowListTimesOutAndAnUnreachableOneIsUnavailable() {
        SERVER.failModels(Script.text("").slowStart(Duration.ofSeconds(1)).withStatus(500, -1, "late"));
        ProviderEndpoint ollama = endpoint(Type.OLLAMA, SERVER.ollamaBaseUrl());
        ProviderEndpoint impatient = new ProviderEndpoint(ollama.connection(), Map.of(), new CallTimeouts(
                Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(1)), true);
        assertThatThrownBy(() -> PROVIDERS.listModels(impatient, null))
                .isInstanceOfSatisfying(ProviderFailure.class, failure -> {
                    assertThat(failure.code()).isEqualTo(ProviderFailure.TIMEOUT);
                    assertThat(failure.status()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
                });

        assertThatThrownBy(() -> PROVIDERS.listModels(endpoint(Type.OPENAI, "http://127.0.0.1:1/v1"), "k"))
                .isInstanceOfSatisfying(ProviderFailure.class, failure ->
                        assertThat(failure.code()).isEqualTo(ProviderFailure.UNAVAILABLE));
    }

    @Test
    void eachKindSendsTheCredentialWhereItsApiExpectsIt() {
        SERVER.requireCredential("right-key");

        assertThat(PROVIDERS.listModels(endpoint(Type.OPENAI, SERVER.openAiBaseUrl()), "right-key")).hasSize(3);
        assertThat(PROVIDERS.listModels(endpoint(Type.OLLAMA, SERVER.ollamaBaseUrl()), "right-key")).hasSize(3);
        assertThat(PROVIDERS.listModels(endpoint(Type.ANTHROPIC, SERVER.anthropicBaseUrl()), "right-key")).hasSize(3);
        assertThat(PROVIDERS.listModels(endpoint(Type.GEMINI, SERVER.geminiBaseUrl()), "right-key")).hasSize(3);
        assertThatThrownBy(() -> PROVIDERS.listModels(endpoint(Type.GEMINI, SERVER.geminiBaseUrl()), "wrong-key"))
                .isInstanceOfSatisfying(ProviderFailure.class, failure ->
                        assertThat(failure.code()).isEqualTo(ProviderFailure.AUTH_FAILED));
    }

    @Test
    void aMissingCredentialFailsBeforeAnyRequest() {
        assertThatThrownBy(() -> PROVIDERS.listModels(endpoint(Type.GEMINI, SERVER.geminiBaseUrl()), " "))
                .isInstanceOfSatisfying(ProviderFailure.class, failure ->
                        assertThat(failure.code()).isEqualTo(ProviderFailure.CREDENTIAL_MISSING));
        assertThat(SERVER.requests()).isEmpty();
    }

    @Test
    void reservedAndMalformedHeadersAreRefused() {
        ProviderConnection connection = new ProviderConnection("x", Type.OPENAI, URI.create(SERVER.openAiBaseUrl()));
        assertThatThrownBy(() -> new ProviderEndpoint(connection, Map.of("Authorization", "Bearer x"), FAST, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderEndpoint(connection, Map.of("Bad Name", "v"), FAST, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderEndpoint(connection, Map.of("X-Ok", "line\nbreak"), FAST, true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
