package org.atrium.providers.internal;

import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.atrium.platform.LogEvents;
import org.atrium.providers.Embedder;
import org.atrium.providers.EmbeddingFailure;
import org.atrium.providers.ProviderConnection;
import org.atrium.providers.internal.Attempt.Permanent;
import org.atrium.providers.internal.Attempt.Success;
import org.atrium.providers.internal.Attempt.Transient;
import org.atrium.providers.internal.ProviderMetrics.Outcome;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * An embedder that calls a provider over HTTP (OpenAI-compatible or Ollama). Each {@link #embed(List)} is one
 * request, repeated on transient failures. The loop is written out rather than delegated to a retry library because
 * each wait depends on that response's {@code Retry-After} and each attempt is logged and timed with its own outcome.
 */
public final class RemoteEmbedder implements Embedder {

    /** Logged before each repeated attempt. */
    public static final String RETRY_EVENT = "provider.embeddings.retry";
    /** Logged when a call fails for good. */
    public static final String FAILED_EVENT = "provider.embeddings.failed";
    private static final String OPERATION = "embeddings";
    /** Room per vector in an answer: 4,096 dimensions written as JSON numbers take about 100 KB. */
    private static final long BYTES_PER_VECTOR = 128 * 1024;
    private static final Logger log = LoggerFactory.getLogger(RemoteEmbedder.class);

    private final ProviderConnection connection;
    private final String model;
    private final @Nullable String secret;
    private final EmbeddingsApi api;
    private final ProviderHttp http;
    private final Backoff backoff;
    private final URI endpoint;
    private final EmbeddingMessages messages;
    private final int maxBody;

    /**
     * @param connection an OPENAI or OLLAMA connection
     * @param model      the model name
     * @param secret     sent as {@code Authorization: Bearer}; null sends no header
     * @param http       the shared client and settings
     * @throws EmbeddingFailure (permanent) when the secret cannot be sent in an HTTP header
     */
    public RemoteEmbedder(ProviderConnection connection, String model, @Nullable String secret, ProviderHttp http) {
        if (connection.baseUrl() == null || connection.type() == ProviderConnection.Type.LOCAL) {
            throw new IllegalArgumentException("Connection '" + connection.name() + "' is not remote");
        }
        if (secret != null && !secret.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new EmbeddingFailure("The credential for connection '" + connection.name() + "' contains characters"
                    + " that cannot be sent in an HTTP header (a line break, perhaps). Store it again without them.",
                    false, null);
        }
        this.connection = connection;
        this.model = model;
        this.secret = secret;
        this.api = connection.type() == ProviderConnection.Type.OPENAI ? new EmbeddingsApi.OpenAi()
                : new EmbeddingsApi.Ollama();
        this.http = http;
        this.backoff = new Backoff(http.settings().initialBackoff(), http.settings().maxBackoff());
        this.endpoint = api.endpoint(connection.baseUrl());
        this.messages = new EmbeddingMessages(connection, model, endpoint, http.settings().requestTimeout());
        // An answer is read whole into memory, so its size is bounded by what a full batch needs, not by the provider.
        this.maxBody = (int) Math.min(1L << 30, (1L << 20) + http.settings().batchSize() * BYTES_PER_VECTOR);
    }

    @Override
    public String connection() {
        return connection.name();
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public int batchSize() {
        return http.settings().batchSize();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        Texts.requireNonBlank(texts);
        if (texts.isEmpty()) {
            return List.of();
        }
        byte[] body = http.json().writeValueAsBytes(api.request(model, texts));
        int maxAttempts = http.settings().maxAttempts();
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            Attempt result = send(body, texts.size());
            long elapsed = System.nanoTime() - started;
            boolean attemptsLeft = attempt < maxAttempts;
            switch (result) {
                case Success success -> {
                    record(Outcome.SUCCESS, elapsed);
                    return success.vectors();
                }
                case Permanent permanent -> {
                    record(Outcome.FAILURE, elapsed);
                    throw logged(permanent.failure(), attempt);
                }
                case Transient failure when attemptsLeft -> {
                    record(Outcome.RETRY, elapsed);
                    Duration delay = backoff.delay(attempt, failure.retryAfter());
                    logRetry(failure, attempt, maxAttempts, delay);
                    pause(delay);
                }
                case Transient failure -> {
                    record(Outcome.FAILURE, elapsed);
                    throw logged(new EmbeddingFailure(messages.exhausted(failure, attempt), true, failure.status(),
                            failure.cause()), attempt);
                }
            }
        }
    }

    private HttpPost request(byte[] body) {
        HttpPost request = new HttpPost(endpoint);
        // The time limit applies to each wait for the provider's bytes: the answer's start, then each part of it.
        request.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(http.settings().requestTimeout()))
                .build());
        request.setHeader("Accept", "application/json");
        request.setEntity(new ByteArrayEntity(body, Exchange.JSON));
        if (secret != null && !secret.isEmpty()) {
            request.setHeader("Authorization", "Bearer " + secret);
        }
        return request;
    }

    private Attempt send(byte[] requestBody, int count) {
        // A request object serves one exchange (its cancel is final), so each attempt builds its own.
        HttpPost request = request(requestBody);
        Exchange exchange;
        byte[] body;
        try {
            exchange = Exchange.send(http.client(), request);
            body = exchange.status() >= 200 && exchange.status() < 300 ? Bounded.read(exchange.body(), maxBody)
                    : Bounded.head(exchange.body(), Bounded.MAX_ERROR_BODY);
        } catch (ConnectTimeoutException timeout) {
            return new Transient("connection_failed", null, null, "no connection within "
                    + EmbeddingMessages.readable(http.settings().connectTimeout()), timeout);
        } catch (SocketTimeoutException timeout) {
            return new Transient("timeout", null, null, "no answer within "
                    + EmbeddingMessages.readable(http.settings().requestTimeout()), timeout);
        } catch (Bounded.TooLarge tooLarge) {
            return new Permanent(new EmbeddingFailure(messages.unusable("it is larger than " + maxBody + " bytes"),
                    false, null));
        } catch (MessageConstraintException | ClientProtocolException malformed) {
            return new Permanent(new EmbeddingFailure(messages.unusable("the head of its response is malformed or"
                    + " too large (" + malformed.getMessage() + ")"), false, null));
        } catch (IOException unreachable) {
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new EmbeddingFailure(messages.interrupted(), true, null, unreachable);
            }
            return new Transient("connection_failed", null, null, EmbeddingMessages.describe(unreachable, endpoint,
                    secret), unreachable);
        } finally {
            request.cancel();
        }
        int status = exchange.status();
        if (status >= 200 && status < 300) {
            return parse(body, count, status);
        }
        String message = ProviderErrors.providerMessage(body, http.json(), secret);
        if (status == 429 || status >= 500) {
            return new Transient("http_status", status, Backoff.retryAfter(exchange::header, http.clock()),
                    message, null);
        }
        return new Permanent(new EmbeddingFailure(messages.refused(status, message), false, status));
    }

    private Attempt parse(byte[] body, int count, int status) {
        String problem;
        try {
            List<float[]> vectors = api.vectors(http.json().readTree(body));
            problem = Texts.problem(vectors, count);
            if (problem == null) {
                return new Success(vectors);
            }
        } catch (JacksonException notJson) {
            problem = "it is not JSON";
        } catch (EmbeddingsApi.UnusableResponse unusable) {
            problem = unusable.getMessage();
        }
        return new Permanent(new EmbeddingFailure(messages.unusable(problem), false, status));
    }

    private void pause(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new EmbeddingFailure(messages.interrupted(), true, null, interrupted);
        }
    }

    private void logRetry(Transient failure, int attempt, int maxAttempts, Duration delay) {
        var event = LogEvents.warn(log, RETRY_EVENT)
                .addKeyValue("connection", connection.name())
                .addKeyValue("model", model)
                .addKeyValue("attempt", attempt)
                .addKeyValue("max_attempts", maxAttempts)
                .addKeyValue("reason", failure.reason());
        if (failure.status() != null) {
            event = event.addKeyValue("status", failure.status());
        }
        event.addKeyValue("delay_ms", delay.toMillis()).addKeyValue("error", failure.detail()).log();
    }

    private EmbeddingFailure logged(EmbeddingFailure failure, int attempts) {
        var event = LogEvents.warn(log, FAILED_EVENT)
                .addKeyValue("connection", connection.name())
                .addKeyValue("model", model)
                .addKeyValue("attempts", attempts)
                .addKeyValue("retryable", failure.retryable());
        if (failure.httpStatus() != null) {
            event = event.addKeyValue("status", failure.httpStatus());
        }
        // No provider explanation here, unlike the retry line: a refusal (400) may quote the input, which is
        // document content. The caller receives the full message.
        event.log();
        return failure;
    }

    private void record(Outcome outcome, long elapsedNanos) {
        http.metrics().record(connection.name(), model, OPERATION, outcome, elapsedNanos);
    }
}
