package org.atrium.providers;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Provider connections and how Atrium calls them ({@code atrium.providers.*}). Every check runs at startup, and a
 * failure names the environment variable to fix.
 *
 * <p>A connection is two variables, for example {@code ATRIUM_PROVIDERS_CONNECTIONS_OPENAI_TYPE=openai} and
 * {@code ATRIUM_PROVIDERS_CONNECTIONS_OPENAI_BASE_URL=https://api.openai.com/v1}. Credentials are not configured here:
 * admins, groups and users store them per connection name. The connection {@code local} (the in-process
 * all-minilm-l6-v2 model) is built in and cannot be configured.
 *
 * @param connections connection name to its type and URL (none by default); names are lower-case letters, digits,
 *                    {@code -} and {@code _}, and a name set through environment variables is one word
 * @param embedding   timeouts, retries and batching of embedding calls
 */
@ConfigurationProperties("atrium.providers")
public record ProviderProperties(
        @DefaultValue Map<String, Connection> connections,
        @DefaultValue Embedding embedding) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /** Validates every connection and freezes the map (sorted by name, so listings are stable). */
    public ProviderProperties {
        Map<String, Connection> sorted = new TreeMap<>();
        connections.forEach((name, connection) -> sorted.put(name, validate(name, connection)));
        connections = Collections.unmodifiableMap(sorted);
    }

    private static Connection validate(String name, Connection connection) {
        String variable = "ATRIUM_PROVIDERS_CONNECTIONS_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        if (name.equalsIgnoreCase(ProviderConnection.LOCAL)) {
            throw new IllegalArgumentException("atrium.providers.connections.local (" + variable + "_*) cannot be"
                    + " configured: 'local' is the built-in connection to the in-process all-minilm-l6-v2 embedding"
                    + " model. Give your connection another name.");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Provider connection name '" + name + "' is not allowed: use lower-case"
                    + " letters, digits, '-' and '_' (at most 63 characters).");
        }
        if (connection.type() == null) {
            throw new IllegalArgumentException(variable + "_TYPE (atrium.providers.connections." + name + ".type) is"
                    + " missing: set it to openai, ollama, anthropic or gemini. (A connection name given by environment variables is one"
                    + " word: ATRIUM_PROVIDERS_CONNECTIONS_MY_GATEWAY_TYPE names connection 'my'.)");
        }
        if (connection.type() == ProviderConnection.Type.LOCAL) {
            throw new IllegalArgumentException(variable + "_TYPE=local is not allowed: the local model is the built-in"
                    + " connection 'local'. Use openai, ollama, anthropic or gemini.");
        }
        URI url = connection.baseUrl();
        if (url == null) {
            throw new IllegalArgumentException(variable + "_BASE_URL (atrium.providers.connections." + name
                    + ".base-url) is missing, for example " + switch (connection.type()) {
                        case OPENAI -> "https://api.openai.com/v1";
                        case ANTHROPIC -> "https://api.anthropic.com";
                        case GEMINI -> "https://generativelanguage.googleapis.com";
                        case OLLAMA, LOCAL -> "http://localhost:11434";
                    } + ".");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getQuery() != null) {
            throw new IllegalArgumentException(variable + "_BASE_URL must be an http or https URL with a host and no"
                    + " query, for example https://api.openai.com/v1.");
        }
        return connection;
    }

    /** @return the configured connections as the rest of Atrium sees them (without {@code local}) */
    Map<String, ProviderConnection> providerConnections() {
        Map<String, ProviderConnection> result = new TreeMap<>();
        connections.forEach((name, c) -> result.put(name, new ProviderConnection(name, c.type(), c.baseUrl())));
        return result;
    }

    /**
     * One configured connection. Both fields are required; they are nullable here only so that a missing one is
     * reported with the connection's name rather than by the binder.
     *
     * @param type    {@code openai} (any OpenAI-compatible endpoint: OpenAI, LiteLLM, vLLM, an AI gateway),
     *                {@code ollama}, {@code anthropic} or {@code gemini}
     * @param baseUrl the API root: for OpenAI-compatible endpoints the URL that {@code /embeddings} is appended to
     *                ({@code https://api.openai.com/v1}), for Ollama the server ({@code http://localhost:11434})
     */
    public record Connection(ProviderConnection.@Nullable Type type, @Nullable URI baseUrl) {
    }

    /**
     * Embedding calls ({@code atrium.providers.embedding.*}).
     *
     * @param connectTimeout how long to wait for a TCP/TLS connection ({@code 5s})
     * @param requestTimeout how long to wait for a response to one request ({@code 60s}); a timeout is retried
     * @param maxAttempts    attempts per call including the first ({@code 5}); 429, 5xx, timeouts and connection
     *                       failures are retried, other failures are not
     * @param initialBackoff wait before the second attempt ({@code 500ms}); doubles per attempt, with jitter
     * @param maxBackoff     longest wait between attempts ({@code 30s}), also the cap on a provider's
     *                       {@code Retry-After}
     * @param batchSize      texts per request that callers should send ({@code 64})
     * @param localThreads   threads one inference of the built-in model uses ({@code 0}: one per available
     *                       processor); inferences run side by side only as far as the processors allow
     */
    public record Embedding(
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("60s") Duration requestTimeout,
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("500ms") Duration initialBackoff,
            @DefaultValue("30s") Duration maxBackoff,
            @DefaultValue("64") int batchSize,
            @DefaultValue("0") int localThreads) {

        /** Refuses values that would make calls hang or never happen. */
        public Embedding {
            positive(connectTimeout, "CONNECT_TIMEOUT");
            positive(requestTimeout, "REQUEST_TIMEOUT");
            positive(initialBackoff, "INITIAL_BACKOFF");
            positive(maxBackoff, "MAX_BACKOFF");
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("ATRIUM_PROVIDERS_EMBEDDING_MAX_ATTEMPTS must be at least 1");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("ATRIUM_PROVIDERS_EMBEDDING_BATCH_SIZE must be at least 1");
            }
            if (localThreads < 0) {
                throw new IllegalArgumentException("ATRIUM_PROVIDERS_EMBEDDING_LOCAL_THREADS must be 0 (one thread per"
                        + " processor) or more");
            }
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("ATRIUM_PROVIDERS_EMBEDDING_MAX_BACKOFF must not be shorter than"
                        + " ATRIUM_PROVIDERS_EMBEDDING_INITIAL_BACKOFF");
            }
        }

        private static void positive(@Nullable Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("ATRIUM_PROVIDERS_EMBEDDING_" + name + " must be a positive"
                        + " duration, for example 5s or 500ms");
            }
        }
    }
}
