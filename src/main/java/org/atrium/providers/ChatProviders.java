package org.atrium.providers;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.atrium.providers.internal.Clients;
import org.atrium.providers.internal.ModelLister;
import org.atrium.providers.internal.ProviderApi;
import org.atrium.providers.internal.ProviderFailures;
import org.atrium.providers.internal.anthropic.AnthropicApi;
import org.atrium.providers.internal.gemini.GeminiApi;
import org.atrium.providers.internal.ollama.OllamaApi;
import org.atrium.providers.internal.openai.OpenAiApi;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.List;

/**
 * The one contract through which Atrium talks to chat providers of every kind (OpenAI-compatible, Ollama, Anthropic,
 * Gemini): model listing and chat. Callers pass an endpoint (connection, extra headers, timeouts) and the credential
 * that applies to the user; they never see a provider's JSON. Thread-safe.
 */
@Service
public class ChatProviders {

    private final Clients clients = new Clients();
    private final ModelLister lister;
    private final ProviderApi openAi;
    private final ProviderApi ollama;
    private final ProviderApi anthropic;
    private final ProviderApi gemini;

    /**
     * Spring's constructor.
     *
     * @param json   Spring's JSON mapper
     * @param meters the meter registry, when metrics are on
     */
    @Autowired
    public ChatProviders(JsonMapper json, ObjectProvider<MeterRegistry> meters) {
        this(json, meters.getIfAvailable(), ChatResilience.DEFAULTS);
    }

    /**
     * For tests and tools: the same with an explicit (or no) registry and resilience settings.
     *
     * @param json       the JSON mapper
     * @param meters     the meter registry, or null to record nothing
     * @param resilience retries and circuit breaker settings
     */
    public ChatProviders(JsonMapper json, @Nullable MeterRegistry meters, ChatResilience resilience) {
        this.lister = new ModelLister(clients, json, Clock.systemUTC());
        this.openAi = new OpenAiApi();
        this.ollama = new OllamaApi();
        this.anthropic = new AnthropicApi();
        this.gemini = new GeminiApi();
    }

    /**
     * Lists the models a connection offers: {@code GET {base}/models} (OpenAI-compatible), {@code GET {base}/api/tags}
     * (Ollama), {@code GET {base}/v1/models} (Anthropic, every page) or {@code GET {base}/v1beta/models} (Gemini,
     * every page, only models that support {@code generateContent}). Each page must arrive within the endpoint's
     * first-token timeout, the whole list within its total timeout. At most 5,000 models, duplicates dropped. Blocks;
     * call it from a virtual thread or a background job.
     *
     * @param endpoint the connection, extra headers and timeouts
     * @param secret   the credential (Bearer for OpenAI and Ollama, {@code x-api-key} for Anthropic,
     *                 {@code x-goog-api-key} for Gemini); required except for Ollama; never logged nor quoted
     * @return the models, in the provider's order
     * @throws ProviderFailure with a stable code: {@code provider_credential_missing}, {@code provider_auth_failed},
     *                         {@code provider_rate_limited}, {@code provider_unavailable}, {@code provider_timeout},
     *                         {@code provider_rejected}, {@code provider_invalid_response}
     */
    public List<ProviderModel> listModels(ProviderEndpoint endpoint, @Nullable String secret) {
        String credential = ProviderFailures.credential(endpoint, secret);
        return lister.list(endpoint, api(endpoint.connection().type()), credential);
    }

    private ProviderApi api(ProviderConnection.Type type) {
        return switch (type) {
            case OPENAI -> openAi;
            case OLLAMA -> ollama;
            case ANTHROPIC -> anthropic;
            case GEMINI -> gemini;
            case LOCAL -> throw new IllegalArgumentException("The local connection has no chat");
        };
    }

    /** Lets calls in flight finish but starts no new ones once the application is stopping. */
    @PreDestroy
    void close() {
        clients.close();
    }
}
