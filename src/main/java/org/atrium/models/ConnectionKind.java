package org.atrium.models;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The wire format a connection speaks. */
public enum ConnectionKind {
    /** Any OpenAI-compatible endpoint: OpenAI, LiteLLM, vLLM, an AI gateway with virtual keys, a pipeline server. */
    @JsonProperty("openai") OPENAI("openai"),
    /** Ollama's native API. */
    @JsonProperty("ollama") OLLAMA("ollama"),
    /** Anthropic's Messages API. */
    @JsonProperty("anthropic") ANTHROPIC("anthropic"),
    /** Google's Generative Language API (Gemini). */
    @JsonProperty("gemini") GEMINI("gemini");

    private final String wire;

    ConnectionKind(String wire) {
        this.wire = wire;
    }

    /** @return the name used in the API and the database ({@code openai}) */
    public String wire() {
        return wire;
    }

    /**
     * @return whether calls fail without a credential: every kind but Ollama, which may take one but runs without
     */
    public boolean requiresCredential() {
        return this != OLLAMA;
    }

    /**
     * @param wire a name as used in the API
     * @return the kind
     * @throws IllegalArgumentException for an unknown name
     */
    public static ConnectionKind of(String wire) {
        for (ConnectionKind kind : values()) {
            if (kind.wire.equals(wire)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown connection kind: " + wire);
    }
}
