package org.atrium.testing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bag-of-words vectors are deterministic unit vectors whose neighbours share words. */
class BagOfWordsTest {

    private final BagOfWords words = new BagOfWords(384);

    @Test
    void theSameTextGetsTheSameUnitVectorWhateverTheCaseAndPunctuation() {
        float[] vector = words.vectorOf("Tovaku remi, salu.");

        assertThat(new BagOfWords(384).vectorOf("tovaku REMI salu")).containsExactly(vector);
        assertThat(dot(vector, vector)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(words.vectorOf("")).hasSize(384);
        assertThat(dot(words.vectorOf("..."), words.vectorOf("..."))).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void textsSharingWordsAreCloserThanTextsSharingNone() {
        float[] query = words.vectorOf("kiwi mango papaya");
        float[] sharing = words.vectorOf("a text about kiwi and mango and papaya trees");
        float[] unrelated = words.vectorOf("a text about granite and violin and tundra stones");

        assertThat(dot(query, sharing)).isGreaterThan(0.4);
        assertThat(Math.abs(dot(query, unrelated))).isLessThan(0.25);
        assertThat(dot(query, words.vectorOf("kiwi kiwi kiwi mango")))
                .isGreaterThan(dot(query, words.vectorOf("kiwi granite granite granite")));
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
