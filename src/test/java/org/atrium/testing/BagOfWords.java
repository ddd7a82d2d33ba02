package org.atrium.testing;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Embeddings with real neighbourhood structure and no model: each word (a run of letters or digits, lower-cased) maps
 * to a deterministic pseudo-random Gaussian vector seeded by the word, and a text's vector is the normalised sum of
 * its words' vectors. Texts that share words, weighted by how often, are neighbours; texts from the same vocabulary
 * form clusters. Unlike uniformly random vectors (all pairwise distances about equal, the worst case for an
 * approximate index) this gives a nearest-neighbour search something to find. Thread-safe.
 */
public final class BagOfWords {

    /** Word vectors kept for reuse; beyond this many distinct words, vectors are recomputed each time. */
    private static final int MAX_CACHED_WORDS = 100_000;

    private final int dimension;
    private final ConcurrentMap<String, float[]> words = new ConcurrentHashMap<>();

    /**
     * @param dimension the vector size, at least 1
     */
    public BagOfWords(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1");
        }
        this.dimension = dimension;
    }

    /** @return the vector size */
    public int dimension() {
        return dimension;
    }

    /**
     * @param text any text
     * @return the normalised sum of its words' vectors; a text without words gets the first unit vector
     */
    public float[] vectorOf(String text) {
        double[] sum = new double[dimension];
        String lower = text.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= lower.length(); i++) {
            boolean inWord = i < lower.length() && Character.isLetterOrDigit(lower.charAt(i));
            if (inWord && start < 0) {
                start = i;
            } else if (!inWord && start >= 0) {
                float[] word = wordVector(lower.substring(start, i));
                for (int d = 0; d < dimension; d++) {
                    sum[d] += word[d];
                }
                start = -1;
            }
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        float[] vector = new float[dimension];
        if (norm == 0) {
            vector[0] = 1;
            return vector;
        }
        double scale = 1 / Math.sqrt(norm);
        for (int d = 0; d < dimension; d++) {
            vector[d] = (float) (sum[d] * scale);
        }
        return vector;
    }

    private float[] wordVector(String word) {
        float[] cached = words.get(word);
        if (cached != null) {
            return cached;
        }
        SplittableRandom random = new SplittableRandom(fnv1a(word));
        float[] vector = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            vector[d] = (float) random.nextGaussian();
        }
        if (words.size() < MAX_CACHED_WORDS) {
            words.putIfAbsent(word, vector);
        }
        return vector;
    }

    /** A 64-bit FNV-1a hash: stable across JVMs and runs, unlike {@link String#hashCode()}'s 32 bits. */
    private static long fnv1a(String word) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < word.length(); i++) {
            hash ^= word.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
