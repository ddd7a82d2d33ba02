package org.atrium.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.atrium.providers.internal.LocalEmbedder;
import org.atrium.providers.internal.ProviderMetrics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throughput of the built-in embedding model for {@code docs/benchmarks.md}: chunk-sized texts (about 200 tokens,
 * the default {@code chunk-tokens}) embedded through {@link LocalEmbedder} in calls of 1, 16 and 64 texts, as
 * ingestion sends them, and the same texts through langchain4j's {@code embedAll} (one inference per text on the
 * library's thread pool, which is what {@link LocalEmbedder} did before it batched). The two alternate batch size by
 * batch size so that both see the same load on a shared machine. Not part of the default suite; it needs no
 * database:
 *
 * <pre>./mvnw test -Dtest=LocalEmbedderBenchmark -Dexcluded.test.groups= -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * {@code -Datrium.bench.texts=N} changes the number of texts per batch size (2,000). It prints figures and asserts
 * only that every text got a vector.
 */
@Tag("benchmark")
class LocalEmbedderBenchmark {

    private static final int TEXTS = Integer.getInteger("atrium.bench.texts", 2_000);
    private static final int[] BATCH_SIZES = {1, 16, 64};
    private static final String[] WORDS = ("time year people way day thing life child world school state family "
            + "student group country problem hand part place case week company system program question work number "
            + "night point home water room mother area money story fact month right study book eye job word business "
            + "issue side kind head house service friend father power hour game line end member law car city name "
            + "team minute idea body information back parent face level office door health person art war history "
            + "party result change morning reason research girl moment air teacher force education river stone "
            + "retrieval embedding ingestion throughput latency replica configuration migration collection")
            .split(" ");

    @Test
    void chunksPerSecondByBatchSize() throws Exception {
        List<String> texts = texts(TEXTS, 200);
        System.out.printf(Locale.ROOT, "local model benchmark: %d texts, %.1f tokens on average, %d processors%n",
                texts.size(), averageTokens(texts), Runtime.getRuntime().availableProcessors());
        AllMiniLmL6V2EmbeddingModel library = new AllMiniLmL6V2EmbeddingModel();
        // Load both and warm ONNX Runtime up outside the timings.
        new LocalEmbedder(LocalEmbedder.MODEL, 64, 0, new ProviderMetrics(null)).embed(texts.subList(0, 64));
        library.embedAll(texts.subList(0, 64).stream().map(TextSegment::from).toList());
        for (int batchSize : BATCH_SIZES) {
            LocalEmbedder embedder = new LocalEmbedder(LocalEmbedder.MODEL, batchSize, 0, new ProviderMetrics(null));
            measure("batched (LocalEmbedder)", batchSize, texts, embedder::embed);
            measure("one inference per text (langchain4j embedAll)", batchSize, texts,
                    batch -> library.embedAll(batch.stream().map(TextSegment::from).toList()).content());
        }
    }

    private static void measure(String path, int batchSize, List<String> texts, Function<List<String>, List<?>> embed) {
        long started = System.nanoTime();
        int embedded = 0;
        for (int from = 0; from < texts.size(); from += batchSize) {
            embedded += embed.apply(texts.subList(from, Math.min(texts.size(), from + batchSize))).size();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(embedded).isEqualTo(texts.size());
        System.out.printf(Locale.ROOT, "local model: %s, batch size %d: %d texts in %.1f s, %.1f chunks/s%n", path,
                batchSize, embedded, seconds, embedded / seconds);
    }

    /** Sentences of common words, about {@code tokens} tokens each; a fixed seed so runs are comparable. */
    private static List<String> texts(int count, int tokens) {
        SplittableRandom random = new SplittableRandom(42);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder();
            int words = 0;
            // About one token per word and one per sentence's full stop.
            while (words < tokens * 10 / 11) {
                int sentence = 6 + random.nextInt(10);
                for (int w = 0; w < sentence; w++) {
                    String word = WORDS[random.nextInt(WORDS.length)];
                    text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                    text.append(w == sentence - 1 ? ". " : " ");
                }
                words += sentence;
            }
            texts.add(text.toString().strip());
        }
        return texts;
    }

    private static double averageTokens(List<String> texts) throws Exception {
        try (InputStream json = AllMiniLmL6V2EmbeddingModel.class
                .getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false",
                     "truncation", "false", "addSpecialTokens", "false"))) {
            return texts.stream().mapToInt(t -> tokenizer.encode(t).getIds().length).average().orElse(0);
        }
    }
}
