package org.atrium.chat;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who wrote a message. */
public enum MessageRole {
    /** The chat's owner: a question. */
    @JsonProperty("user") USER,
    /** A model: an answer. */
    @JsonProperty("assistant") ASSISTANT,
    /** Instructions for the model, written by the owner. */
    @JsonProperty("system") SYSTEM,
    /** The result of a tool the previous answer called, written by the owner. */
    @JsonProperty("tool") TOOL;

    /** @return the name stored and sent ({@code user}, {@code assistant}, {@code system}, {@code tool}) */
    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static MessageRole of(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
