package org.atrium.benchmarks;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ranking metrics as {@code trec_eval} (and so BEIR, through pytrec_eval) defines them, for one query: the ranking
 * is a list of distinct document ids, best first; judgements map document ids to graded relevance.
 */
final class RankingMetrics {

    private RankingMetrics() {
    }

    /**
     * {@code ndcg_cut.k}: the discounted cumulative gain of the first {@code k} documents (gain = the judged grade,
     * discount log2(rank + 1), unjudged documents gain 0) divided by that of the ideal ranking of the judged
     * documents. 0 when no judged document has a grade above 0.
     */
    static double ndcg(List<String> ranking, Map<String, Integer> judgements, int k) {
        double dcg = 0;
        for (int rank = 1; rank <= Math.min(k, ranking.size()); rank++) {
            dcg += Math.max(0, judgements.getOrDefault(ranking.get(rank - 1), 0)) / log2(rank + 1);
        }
        List<Integer> ideal = judgements.values().stream().filter(grade -> grade > 0)
                .sorted((a, b) -> Integer.compare(b, a)).toList();
        double idealDcg = 0;
        for (int rank = 1; rank <= Math.min(k, ideal.size()); rank++) {
            idealDcg += ideal.get(rank - 1) / log2(rank + 1);
        }
        return idealDcg == 0 ? 0 : dcg / idealDcg;
    }

    /**
     * {@code recall.k}: the share of relevant documents (grade above 0) found among the first {@code k}. 0 when the
     * query has no relevant document.
     */
    static double recall(List<String> ranking, Map<String, Integer> judgements, int k) {
        Set<String> relevant = new HashSet<>();
        judgements.forEach((id, grade) -> {
            if (grade > 0) {
                relevant.add(id);
            }
        });
        if (relevant.isEmpty()) {
            return 0;
        }
        long found = ranking.stream().limit(k).filter(relevant::contains).count();
        return (double) found / relevant.size();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
