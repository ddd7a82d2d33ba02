package org.atrium.compat.wire;

import org.atrium.platform.AtriumException;
import tools.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The texts of an embeddings request, as OpenAI's and Ollama's clients send them: a string or an array of strings. */
public final class EmbeddingInputs {

    /** Most inputs of one request, as OpenAI allows. */
    public static final int MAX_INPUTS = 2_048;
    /** Longest input, in characters (OpenAI's limit is 8,192 tokens per input). */
    public static final int MAX_INPUT_CHARS = 100_000;

    private EmbeddingInputs() {
    }

    /**
     * @param input the request's {@code input}
     * @return its texts, in order
     * @throws AtriumException {@code validation_failed} for {@code input} when it is not 1 to {@link #MAX_INPUTS}
     *                         strings of 1 to {@link #MAX_INPUT_CHARS} characters, none blank
     */
    public static List<String> of(JsonNode input) {
        List<String> inputs = new ArrayList<>();
        if (input.isString()) {
            inputs.add(input.asString());
        } else if (input.isArray() && !input.isEmpty() && input.size() <= MAX_INPUTS) {
            for (JsonNode item : input) {
                if (!item.isString()) {
                    throw AtriumException.invalidField("input", "is a string or an array of strings (token arrays"
                            + " are not supported)");
                }
                inputs.add(item.asString());
            }
        } else {
            throw AtriumException.invalidField("input", "is a string or an array of 1 to " + MAX_INPUTS
                    + " strings");
        }
        for (String text : inputs) {
            if (text.isBlank() || text.length() > MAX_INPUT_CHARS) {
                throw AtriumException.invalidField("input", "each input has 1 to " + MAX_INPUT_CHARS
                        + " characters and is not blank");
            }
        }
        return inputs;
    }
}
