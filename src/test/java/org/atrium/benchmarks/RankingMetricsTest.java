package org.atrium.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RankingMetricsTest {

    private static final Map<String, Integer> GRADED = Map.of("a", 2, "b", 1, "c", 0);

    @Test
    void perfectRankingScoresOne() {
        assertThat(RankingMetrics.ndcg(List.of("a", "b", "x"), GRADED, 10)).isEqualTo(1.0);
        assertThat(RankingMetrics.recall(List.of("a", "b", "x"), GRADED, 100)).isEqualTo(1.0);
    }

    @Test
    void gradesAreLinearGainsDiscountedByLogOfRank() {
        // trec_eval's ndcg_cut: DCG = 1/log2(2) + 2/log2(3) for "b" then "a"; ideal = 2/log2(2) + 1/log2(3).
        double dcg = 1 + 2 / log2(3);
        double ideal = 2 + 1 / log2(3);
        assertThat(RankingMetrics.ndcg(List.of("b", "a"), GRADED, 10)).isCloseTo(dcg / ideal, within(1e-12));
    }

    @Test
    void documentsJudgedNotRelevantAndUnjudgedOnesGainNothing() {
        double expected = (1 / log2(4)) / (2 + 1 / log2(3));
        assertThat(RankingMetrics.ndcg(List.of("c", "x", "b"), GRADED, 10)).isCloseTo(expected, within(1e-12));
        assertThat(RankingMetrics.recall(List.of("c", "x", "b"), GRADED, 100)).isEqualTo(0.5);
    }

    @Test
    void onlyTheFirstKDocumentsCount() {
        assertThat(RankingMetrics.ndcg(List.of("x", "y", "a"), GRADED, 2)).isZero();
        assertThat(RankingMetrics.recall(List.of("x", "a", "b"), GRADED, 2)).isEqualTo(0.5);
    }

    @Test
    void queriesWithoutRelevantDocumentsScoreZero() {
        assertThat(RankingMetrics.ndcg(List.of("c"), Map.of("c", 0), 10)).isZero();
        assertThat(RankingMetrics.recall(List.of("c"), Map.of("c", 0), 100)).isZero();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
