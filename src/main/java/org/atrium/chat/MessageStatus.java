package org.atrium.chat;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a message stands. Questions and system messages are always {@code complete}; an answer is
 * {@code in_progress} while it is generated and ends {@code complete}, {@code stopped} (by its owner) or
 * {@code failed} (with a code and a reason).
 */
public enum MessageStatus {
    /** Being generated: its content grows in batches. */
    @JsonProperty("in_progress") IN_PROGRESS,
    /** Done. */
    @JsonProperty("complete") COMPLETE,
    /** Stopped before the model finished; the content is what was generated until then. */
    @JsonProperty("stopped") STOPPED,
    /** Ended by a failure; the content is what was generated before it. */
    @JsonProperty("failed") FAILED;

    /** @return the name stored and sent ({@code in_progress}, ...) */
    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static MessageStatus of(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
