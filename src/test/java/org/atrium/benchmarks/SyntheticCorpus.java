package org.atrium.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Documents and queries with topical structure, deterministic from a seed. A list of pronounceable pseudo-words is
 * split into common words (shared by every text, like "the" and "of") and topics (each a vocabulary of a few hundred
 * words drawn from the rest; topics may share words). A document mixes one or two topics with common words; each
 * vocabulary is drawn with Zipf-like frequencies (a word's probability falls as 1 / rank), so a few words of a topic
 * are frequent and most are rare, as in prose. Queries are short runs of words from one topic. With
 * {@link org.atrium.testing.BagOfWords} embeddings, documents of a topic form a cluster and a query lands in it.
 */
final class SyntheticCorpus {

    private static final String CONSONANTS = "bcdfghjklmnprstvwz";
    private static final String VOWELS = "aeiou";
    private static final int WORD_LIST = 20_000;
    private static final int COMMON_WORDS = 150;
    private static final int TOPIC_WORDS = 300;
    /** Share of a document's words drawn from the common words. */
    private static final double COMMON_SHARE = 0.3;
    /** Share of a two-topic document's topic words drawn from its first topic. */
    private static final double FIRST_TOPIC_SHARE = 0.7;

    private final String[] common;
    private final String[][] topics;
    private final double[] commonCdf = zipfCdf(COMMON_WORDS);
    private final double[] topicCdf = zipfCdf(TOPIC_WORDS);

    /**
     * @param topics how many topics
     * @param seed   the same seed gives the same words and topics
     */
    SyntheticCorpus(int topics, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> distinct = new LinkedHashSet<>();
        while (distinct.size() < WORD_LIST) {
            int syllables = 2 + random.nextInt(2);
            StringBuilder word = new StringBuilder();
            for (int s = 0; s < syllables; s++) {
                word.append(CONSONANTS.charAt(random.nextInt(CONSONANTS.length())))
                        .append(VOWELS.charAt(random.nextInt(VOWELS.length())));
            }
            distinct.add(word.toString());
        }
        String[] words = distinct.toArray(String[]::new);
        common = Arrays.copyOf(words, COMMON_WORDS);
        this.topics = new String[topics][TOPIC_WORDS];
        for (int t = 0; t < topics; t++) {
            for (int w = 0; w < TOPIC_WORDS; w++) {
                this.topics[t][w] = words[COMMON_WORDS + random.nextInt(WORD_LIST - COMMON_WORDS)];
            }
        }
    }

    /** @return how many topics there are */
    int topics() {
        return topics.length;
    }

    /**
     * A document of about {@code words} words in sentences of 8 to 15 words and paragraphs of 4 to 8 sentences, from
     * one topic or (half of the time) two.
     */
    String document(SplittableRandom random, int words) {
        String[] first = topics[random.nextInt(topics.length)];
        String[] second = random.nextBoolean() ? topics[random.nextInt(topics.length)] : first;
        StringBuilder text = new StringBuilder(words * 8);
        int written = 0;
        int sentencesLeft = 4 + random.nextInt(5);
        while (written < words) {
            int length = 8 + random.nextInt(8);
            for (int w = 0; w < length; w++) {
                String word;
                if (random.nextDouble() < COMMON_SHARE) {
                    word = common[zipf(random, commonCdf)];
                } else {
                    word = (random.nextDouble() < FIRST_TOPIC_SHARE ? first : second)[zipf(random, topicCdf)];
                }
                text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word)
                        .append(w == length - 1 ? "." : " ");
            }
            written += length;
            if (--sentencesLeft == 0) {
                text.append("\n\n");
                sentencesLeft = 4 + random.nextInt(5);
            } else {
                text.append(' ');
            }
        }
        return text.toString();
    }

    /** A query of 3 to 6 words of one topic, drawn with the topic's word frequencies. */
    String query(SplittableRandom random) {
        String[] topic = topics[random.nextInt(topics.length)];
        int length = 3 + random.nextInt(4);
        StringBuilder query = new StringBuilder();
        for (int w = 0; w < length; w++) {
            query.append(w == 0 ? "" : " ").append(topic[zipf(random, topicCdf)]);
        }
        return query.toString();
    }

    /** One of the words every document uses (like "the" and "of", but not a stop word), drawn by frequency. */
    String commonWord(SplittableRandom random) {
        return common[zipf(random, commonCdf)];
    }

    private static int zipf(SplittableRandom random, double[] cdf) {
        int at = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, at >= 0 ? at : -at - 1);
    }

    /** Cumulative probabilities of ranks 1 to n with probability proportional to 1 / rank. */
    private static double[] zipfCdf(int n) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int rank = 1; rank <= n; rank++) {
            sum += 1.0 / rank;
            cdf[rank - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }
}
