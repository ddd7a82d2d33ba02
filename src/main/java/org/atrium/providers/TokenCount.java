package org.atrium.providers;

import org.atrium.providers.internal.Tokens;

/**
 * Counts tokens where a provider reports none (embeddings of most providers, the built-in model): with the o200k_base
 * tokenizer, close to but not exactly any given model's count, so such figures are marked estimated.
 */
public final class TokenCount {

    private TokenCount() {
    }

    /**
     * @param text any text
     * @return its token count, estimated
     */
    public static int of(String text) {
        return Tokens.count(text);
    }
}
