package org.atrium.providers;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * A model a provider offers, as its list endpoint describes it.
 *
 * @param id              the name to send in chat requests ({@code gpt-4o-mini}, {@code llama3.2:latest},
 *                        {@code claude-sonnet-4-5}, {@code gemini-2.5-flash}: Gemini's {@code models/} prefix dropped)
 * @param displayName     the provider's human name, when it gives one (Anthropic, Gemini)
 * @param contextWindow   input token limit, when the provider tells (Gemini)
 * @param maxOutputTokens output token limit, when the provider tells (Gemini)
 */
public record ProviderModel(String id, @Nullable String displayName, @Nullable Integer contextWindow,
                            @Nullable Integer maxOutputTokens) {

    /** Longest model id accepted from a provider; longer ones are skipped as garbage. */
    public static final int MAX_ID = 200;

    /** Requires an id. */
    public ProviderModel {
        Objects.requireNonNull(id, "id");
    }

    /**
     * @param id          the model id
     * @param displayName the human name, if any
     */
    public ProviderModel(String id, @Nullable String displayName) {
        this(id, displayName, null, null);
    }
}
