package org.atrium.providers.internal;

import org.jspecify.annotations.Nullable;

import java.util.List;

/** Checks every embedder applies to its input before doing any work. */
final class Texts {

    private Texts() {
    }

    /**
     * @param texts the texts to embed
     * @throws IllegalArgumentException naming the first blank text's position (never its content)
     */
    static void requireNonBlank(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new IllegalArgumentException("Text " + (i + 1) + " of " + texts.size()
                        + " is blank: there is nothing to embed");
            }
        }
    }

    /**
     * Checks what the provider sent back against what was asked.
     *
     * @param vectors the vectors
     * @param count   how many texts were sent
     * @return why they are unusable, or null when they are fine
     */
    static @Nullable String problem(List<float[]> vectors, int count) {
        if (vectors.size() != count) {
            return "it sent " + vectors.size() + (vectors.size() == 1 ? " vector" : " vectors") + " for " + count
                    + (count == 1 ? " text" : " texts");
        }
        int dimension = vectors.getFirst().length;
        for (float[] vector : vectors) {
            if (vector.length != dimension) {
                return "its vectors have different dimensions (" + dimension + " and " + vector.length + ")";
            }
        }
        return null;
    }
}
