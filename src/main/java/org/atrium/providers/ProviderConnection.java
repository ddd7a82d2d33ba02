package org.atrium.providers;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Objects;

/**
 * A provider connection: where model calls go and which wire format they speak. Credentials are not part of it;
 * the settings module stores them per connection name.
 *
 * @param name    the name admins gave it ({@code openai}, {@code gateway}); {@code local} is the built-in one
 * @param type    the wire format
 * @param baseUrl the API root ({@code https://api.openai.com/v1} for OpenAI, {@code http://ollama:11434} for Ollama);
 *                null exactly for {@link Type#LOCAL}
 */
public record ProviderConnection(String name, ProviderConnection.Type type, @Nullable URI baseUrl) {

    /** The name of the built-in connection to the in-process embedding model. */
    public static final String LOCAL = "local";

    /** The wire format a connection speaks. */
    public enum Type {
        /** Any OpenAI-compatible endpoint: OpenAI, LiteLLM, vLLM, an AI gateway with virtual keys. */
        OPENAI,
        /** Ollama's native API ({@code /api/embed}, {@code /api/chat}, {@code /api/tags}). */
        OLLAMA,
        /**
         * Anthropic's Messages API; the base URL is the API root without {@code /v1}
         * ({@code https://api.anthropic.com}).
         */
        ANTHROPIC,
        /**
         * Google's Generative Language API (Gemini); the base URL is the API root without a version
         * ({@code https://generativelanguage.googleapis.com}).
         */
        GEMINI,
        /** The model inside Atrium's own process; no network, no credential. */
        LOCAL
    }

    /** Checks that a URL is given exactly when the type needs one. */
    public ProviderConnection {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("A provider connection needs a name");
        }
        if ((type == Type.LOCAL) != (baseUrl == null)) {
            throw new IllegalArgumentException("Provider connection '" + name + "' of type " + type
                    + (type == Type.LOCAL ? " takes no base URL" : " needs a base URL"));
        }
    }

    /**
     * OPENAI, ANTHROPIC and GEMINI need a credential (API key or virtual key); OLLAMA may use one (sent as Bearer)
     * but does not need it; LOCAL never.
     *
     * @return whether calls through this connection fail without a credential
     */
    public boolean requiresCredential() {
        return type == Type.OPENAI || type == Type.ANTHROPIC || type == Type.GEMINI;
    }
}
