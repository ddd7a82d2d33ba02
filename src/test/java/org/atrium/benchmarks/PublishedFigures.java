package org.atrium.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Published nDCG@10 figures for the same datasets and test splits, printed next to the benchmark's own so a reader
 * can compare. Sources are cited in {@code docs/benchmarks.md}; these are document-level systems (one vector or one
 * BM25 score per document), while Atrium ranks a document by its best chunk.
 */
final class PublishedFigures {

    private record Figure(String system, double ndcgAt10, String source) {
    }

    private static final Map<String, List<Figure>> FIGURES = Map.of(
            "scifact", List.of(
                    new Figure("all-MiniLM-L6-v2, one vector per document", 0.6451,
                            "MTEB paper results (mteb 0.0.2), recall@100 0.925"),
                    new Figure("BM25 flat (Anserini)", 0.6789, "Anserini BEIR v1.0.0 regression, recall@100 0.9253"),
                    new Figure("BM25 multifield (Anserini)", 0.6647,
                            "Anserini BEIR v1.0.0 regression, recall@100 0.9076; BEIR paper: 0.665")),
            "nfcorpus", List.of(
                    new Figure("all-MiniLM-L6-v2, one vector per document", 0.3159,
                            "MTEB paper results (mteb 0.0.2), recall@100 0.3115"),
                    new Figure("BM25 flat (Anserini)", 0.3218, "Anserini BEIR v1.0.0 regression, recall@100 0.2457"),
                    new Figure("BM25 multifield (Anserini)", 0.3254,
                            "Anserini BEIR v1.0.0 regression, recall@100 0.2500; BEIR paper: 0.325")));

    private PublishedFigures() {
    }

    /** Prints the figures known for a dataset (by its directory name), or says there are none. */
    static void print(String dataset) {
        List<Figure> figures = FIGURES.get(dataset.toLowerCase(Locale.ROOT));
        if (figures == null) {
            System.out.println("published figures: none recorded for " + dataset);
            return;
        }
        System.out.println("published figures for " + dataset + " (test split):");
        System.out.println("| system | nDCG@10 | source |");
        System.out.println("|---|---|---|");
        figures.forEach(figure -> System.out.printf(Locale.ROOT, "| %s | %.4f | %s |%n", figure.system(),
                figure.ndcgAt10(), figure.source()));
    }
}
