package org.atrium.providers;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.atrium.platform.AtriumException;
import org.atrium.providers.internal.LocalEmbedder;
import org.atrium.providers.internal.ProviderHttp;
import org.atrium.providers.internal.ProviderMetrics;
import org.atrium.providers.internal.RemoteEmbedder;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds connections and builds embedders. The connections are the configured ones plus the built-in {@code local};
 * they are fixed for the life of the process. Thread-safe; embedders it builds share one HTTP client.
 */
@Service
public class Embedders {

    private final List<ProviderConnection> connections;
    private final Map<String, ProviderConnection> byName;
    private final ProviderHttp http;

    /**
     * Creates the facade; Spring's constructor.
     *
     * @param properties the configured connections and call settings
     * @param json       Spring's JSON mapper
     * @param meters     the meter registry, when metrics are on
     */
    @Autowired
    public Embedders(ProviderProperties properties, JsonMapper json, ObjectProvider<MeterRegistry> meters) {
        this(properties, json, meters.getIfAvailable());
    }

    /** For tests: the same with an explicit (or no) registry. */
    Embedders(ProviderProperties properties, JsonMapper json, @Nullable MeterRegistry meters) {
        List<ProviderConnection> all = new ArrayList<>();
        all.add(new ProviderConnection(ProviderConnection.LOCAL, ProviderConnection.Type.LOCAL, null));
        all.addAll(properties.providerConnections().values());
        this.connections = List.copyOf(all);
        this.byName = connections.stream().collect(Collectors.toUnmodifiableMap(ProviderConnection::name, c -> c));
        this.http = ProviderHttp.create(json, properties.embedding(), new ProviderMetrics(meters));
    }

    /** @return every connection, {@code local} first, then the configured ones by name */
    public List<ProviderConnection> connections() {
        return connections;
    }

    /**
     * @param name the connection name
     * @return the connection, or empty when none has that name
     */
    public Optional<ProviderConnection> connection(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * Builds an embedder for one model on one connection. Cheap: no request is made until
     * {@link Embedder#embed(List)}.
     *
     * @param connection the connection name
     * @param model      the model name as the provider knows it ({@code text-embedding-3-small},
     *                   {@code nomic-embed-text}); for {@code local} only {@code all-minilm-l6-v2}
     * @param secret     the credential to send as {@code Authorization: Bearer}; required by OPENAI connections,
     *                   optional for OLLAMA, ignored for LOCAL; surrounding whitespace is dropped. Never logged
     *                   nor put in a message.
     * @return the embedder
     * @throws AtriumException  ({@code unknown_connection}, 400) for an unknown connection, or
     *                          ({@code validation_failed}) for a blank model name
     * @throws EmbeddingFailure (not retryable) when the connection needs a credential and none is given, when the
     *                          credential cannot be sent in a header, or when {@code local} is asked for another model
     */
    public Embedder embedder(String connection, String model, @Nullable String secret) {
        ProviderConnection found = byName.get(connection);
        if (found == null) {
            throw AtriumException.badRequest("unknown_connection", "There is no provider connection '" + connection
                    + "'. Known connections: " + connections.stream().map(ProviderConnection::name)
                    .collect(Collectors.joining(", ")) + ". An admin adds one with"
                    + " ATRIUM_PROVIDERS_CONNECTIONS_<NAME>_TYPE and _BASE_URL.");
        }
        if (model.isBlank()) {
            throw AtriumException.invalidField("model", "An embedding model name is required.");
        }
        return switch (found.type()) {
            case LOCAL -> new LocalEmbedder(model, http.settings().batchSize(), http.settings().localThreads(),
                    http.metrics());
            case OPENAI, OLLAMA -> {
                // Pasted keys often carry a trailing newline; no provider's key starts or ends with whitespace.
                String credential = secret == null || secret.isBlank() ? null : secret.strip();
                if (credential == null && found.requiresCredential()) {
                    throw new EmbeddingFailure("Connection '" + connection + "' needs a credential (an API key or a"
                            + " virtual key) and none applies here. An admin can add one for connection '"
                            + connection + "', or a group admin or the user their own.", false, null);
                }
                yield new RemoteEmbedder(found, model, credential, http);
            }
            case ANTHROPIC, GEMINI -> throw new EmbeddingFailure("Connection '" + connection + "' is of type "
                    + found.type().name().toLowerCase(java.util.Locale.ROOT) + ", which Atrium uses for chat only;"
                    + " choose an openai, ollama or local connection for embeddings.", false, null);
        };
    }

    /** Closes the connections to providers once the application is stopping; calls still in flight fail. */
    @PreDestroy
    void close() {
        http.client().close(org.apache.hc.core5.io.CloseMode.GRACEFUL);
    }
}
