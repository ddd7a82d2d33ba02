package org.atrium.providers;

import org.atrium.platform.AtriumException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Connections configured the way operators do it: environment variables, checked at startup. */
class ProviderConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(ProvidersOnly.class);

    @Test
    void connectionsComeFromEnvironmentVariablesBesideTheBuiltInOne() {
        environment(Map.of(
                "ATRIUM_PROVIDERS_CONNECTIONS_OPENAI_TYPE", "openai",
                "ATRIUM_PROVIDERS_CONNECTIONS_OPENAI_BASE_URL", "https://api.openai.com/v1",
                "ATRIUM_PROVIDERS_CONNECTIONS_OLLAMA_TYPE", "ollama",
                "ATRIUM_PROVIDERS_CONNECTIONS_OLLAMA_BASE_URL", "http://ollama:11434",
                "ATRIUM_PROVIDERS_EMBEDDING_MAX_ATTEMPTS", "7"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Embedders embedders = context.getBean(Embedders.class);
                    assertThat(embedders.connections()).containsExactly(
                            new ProviderConnection("local", ProviderConnection.Type.LOCAL, null),
                            new ProviderConnection("ollama", ProviderConnection.Type.OLLAMA,
                                    URI.create("http://ollama:11434")),
                            new ProviderConnection("openai", ProviderConnection.Type.OPENAI,
                                    URI.create("https://api.openai.com/v1")));
                    assertThat(context.getBean(ProviderProperties.class).embedding().maxAttempts()).isEqualTo(7);
                });
    }

    @Test
    void embeddingSettingsHaveDocumentedDefaults() {
        runner.run(context -> assertThat(context.getBean(ProviderProperties.class).embedding()).isEqualTo(
                new ProviderProperties.Embedding(Duration.ofSeconds(5), Duration.ofSeconds(60), 5,
                        Duration.ofMillis(500), Duration.ofSeconds(30), 64, 0)));
    }

    @Test
    void theBuiltInLocalConnectionCannotBeRedefined() {
        environment(Map.of("ATRIUM_PROVIDERS_CONNECTIONS_LOCAL_TYPE", "ollama",
                "ATRIUM_PROVIDERS_CONNECTIONS_LOCAL_BASE_URL", "http://localhost:11434"))
                .run(context -> assertThat(context).getFailure().rootCause().hasMessage(
                        "atrium.providers.connections.local (ATRIUM_PROVIDERS_CONNECTIONS_LOCAL_*) cannot be"
                                + " configured: 'local' is the built-in connection to the in-process all-minilm-l6-v2"
                                + " embedding model. Give your connection another name."));
    }

    @Test
    void aConnectionWithoutBaseUrlStopsStartupNamingTheVariable() {
        environment(Map.of("ATRIUM_PROVIDERS_CONNECTIONS_GATEWAY_TYPE", "openai"))
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageStartingWith(
                        "ATRIUM_PROVIDERS_CONNECTIONS_GATEWAY_BASE_URL (atrium.providers.connections.gateway.base-url)"
                                + " is missing"));
    }

    @Test
    void aBaseUrlThatIsNotHttpStopsStartup() {
        runner.withPropertyValues("atrium.providers.connections.gateway.type=openai",
                        "atrium.providers.connections.gateway.base-url=ftp://gateway/v1")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageStartingWith(
                        "ATRIUM_PROVIDERS_CONNECTIONS_GATEWAY_BASE_URL must be an http or https URL"));
    }

    @Test
    void theBuiltInModelsThreadsComeFromTheEnvironmentAndANegativeCountStopsStartup() {
        environment(Map.of("ATRIUM_PROVIDERS_EMBEDDING_LOCAL_THREADS", "1"))
                .run(context -> assertThat(context.getBean(ProviderProperties.class).embedding().localThreads())
                        .isEqualTo(1));
        environment(Map.of("ATRIUM_PROVIDERS_EMBEDDING_LOCAL_THREADS", "-1"))
                .run(context -> assertThat(context).getFailure().rootCause().hasMessage(
                        "ATRIUM_PROVIDERS_EMBEDDING_LOCAL_THREADS must be 0 (one thread per processor) or more"));
    }

    @Test
    void anUnknownConnectionIsRefused() {
        runner.run(context -> {
            AtriumException failure = catchThrowableOfType(AtriumException.class,
                    () -> context.getBean(Embedders.class).embedder("openai", "m", "sk-x"));
            assertThat(failure.code()).isEqualTo("unknown_connection");
            assertThat(failure).hasMessage("There is no provider connection 'openai'. Known connections: local. An"
                    + " admin adds one with ATRIUM_PROVIDERS_CONNECTIONS_<NAME>_TYPE and _BASE_URL.");
            assertThat(context.getBean(Embedders.class).connection("openai")).isEmpty();
        });
    }

    @Test
    void anthropicAndGeminiConnectionsAreChatOnly() {
        environment(Map.of(
                "ATRIUM_PROVIDERS_CONNECTIONS_CLAUDE_TYPE", "anthropic",
                "ATRIUM_PROVIDERS_CONNECTIONS_CLAUDE_BASE_URL", "https://api.anthropic.com",
                "ATRIUM_PROVIDERS_CONNECTIONS_GEMINI_TYPE", "gemini",
                "ATRIUM_PROVIDERS_CONNECTIONS_GEMINI_BASE_URL", "https://generativelanguage.googleapis.com"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Embedders embedders = context.getBean(Embedders.class);
                    assertThat(embedders.connection("claude").orElseThrow().type())
                            .isEqualTo(ProviderConnection.Type.ANTHROPIC);
                    assertThat(embedders.connection("gemini").orElseThrow().requiresCredential()).isTrue();
                    EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                            () -> embedders.embedder("claude", "m", "k"));
                    assertThat(failure.retryable()).isFalse();
                    assertThat(failure).hasMessageContaining("chat only");
                });
        environment(Map.of("ATRIUM_PROVIDERS_CONNECTIONS_CLAUDE_TYPE", "anthropic"))
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining(
                        "is missing, for example https://api.anthropic.com."));
    }

    /** Puts variables where Spring Boot reads the process environment, with its relaxed names. */
    private ApplicationContextRunner environment(Map<String, Object> variables) {
        return runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource("test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables)));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ProviderProperties.class)
    @Import(Embedders.class)
    static class ProvidersOnly {

        @Bean
        JsonMapper jsonMapper() {
            return JsonMapper.builder().build();
        }
    }
}
