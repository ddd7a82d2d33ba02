package org.atrium.providers;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.atrium.providers.internal.ChatEngine;
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
import java.time.Duration;
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
    private final ChatEngine engine;
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
        this.engine = new ChatEngine(clients, json, meters, resilience);
        this.openAi = new OpenAiApi();
        this.ollama = new OllamaApi();
        this.anthropic = new AnthropicApi();
        this.gemini = new GeminiApi();
    }

    /**
     * Runs a short task once a delay has passed, on the timer that also runs the calls' timeout checks: arming one
     * costs a queue insert, and no thread wakes for a task cancelled first. The task runs up to a tick (20 ms) late
     * and must not block (it shares the timer's thread with every call's checks): anything longer goes to a thread
     * of its own. Counted in the gauge {@code atrium.provider.chat.scheduled} until it runs or is cancelled.
     *
     * @param delay how long from now
     * @param task  what to run
     * @return what cancels the task (nothing happens if it already ran)
     */
    public Runnable later(Duration delay, Runnable task) {
        return engine.later(task, delay.toNanos());
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

    /**
     * Starts a streaming chat call and returns at once; events reach the listener from the call's own virtual thread.
     * The request is translated to the kind's native API: {@code POST {base}/chat/completions} (SSE),
     * {@code POST {base}/api/chat} (NDJSON), {@code POST {base}/v1/messages} (SSE) or
     * {@code POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse}.
     *
     * <p>Timeouts come from the endpoint: connect, first token (from each attempt's request to its first output),
     * idle (between two chunks once output started) and total (the whole call). A 429, a 5xx or a broken connection
     * is retried with backoff (honouring {@code Retry-After}, capped) while nothing has reached the listener; after
     * the first output nothing is retried. A circuit breaker per connection name refuses calls at once
     * ({@code circuit_open}) while the provider keeps failing. Usage comes from the provider, or is counted with a
     * tokenizer and marked estimated.
     *
     * @param endpoint the connection, extra headers and timeouts
     * @param secret   the credential (see {@link #listModels}); never logged nor quoted
     * @param request  the provider-neutral request
     * @param listener receives the answer as it streams, then exactly one of onComplete and onFailure
     * @return a handle to cancel the call (closing the upstream connection) or wait for its end
     * @throws ProviderFailure at once, without a request, for a missing credential
     *                         ({@code provider_credential_missing}) or a request this kind cannot take
     *                         ({@code provider_unsupported}); every other failure goes to the listener
     */
    public ChatHandle stream(ProviderEndpoint endpoint, @Nullable String secret, ChatRequest request,
                             ChatListener listener) {
        return engine.start(prepare(endpoint, secret, request, listener));
    }

    /**
     * The same as {@link #stream}, except that the call is not started: the caller {@linkplain ChatCall#run runs} it
     * on its own thread.
     *
     * @param endpoint the connection, extra headers and timeouts
     * @param secret   the credential
     * @param request  the provider-neutral request
     * @param listener receives the answer as it streams (on the thread that runs the call), then exactly one of
     *                 onComplete and onFailure
     * @return the call, to run
     * @throws ProviderFailure at once, as {@link #stream} does
     */
    public ChatCall prepare(ProviderEndpoint endpoint, @Nullable String secret, ChatRequest request,
                            ChatListener listener) {
        String credential = ProviderFailures.credential(endpoint, secret);
        return engine.prepare(endpoint, api(endpoint.connection().type()), credential, request, listener);
    }

    /**
     * The same as {@link #stream} without a listener, waiting for the whole answer. Blocks for up to the endpoint's
     * total timeout; call it from a virtual thread or a background job.
     *
     * @param endpoint the connection, extra headers and timeouts
     * @param secret   the credential
     * @param request  the request
     * @return the whole answer
     * @throws ProviderFailure with a stable code when the call fails
     */
    public ChatResult complete(ProviderEndpoint endpoint, @Nullable String secret, ChatRequest request) {
        ChatHandle handle = stream(endpoint, secret, request, new ChatListener() {
        });
        // The call's own total timeout ends it; the extra second only covers the last event's delivery.
        return handle.await(endpoint.timeouts().total().plus(Duration.ofSeconds(1)));
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
