package org.atrium.providers;

/**
 * Tokens one call consumed.
 *
 * @param inputTokens  tokens of the prompt
 * @param outputTokens tokens of the answer
 * @param estimated    true when the provider did not report (part of) it and Atrium counted with a tokenizer
 *                     (o200k_base), which is close to but not exactly the provider's count
 */
public record TokenUsage(int inputTokens, int outputTokens, boolean estimated) {

    /** @return input plus output */
    public int total() {
        return inputTokens + outputTokens;
    }
}
