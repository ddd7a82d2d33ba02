package org.atrium.providers;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The built-in model runs texts in padded batches; its vectors must be the ones langchain4j's own
 * {@code AllMiniLmL6V2EmbeddingModel.embedAll} computes one text at a time, whatever the mix of lengths and languages
 * in a batch, and whoever else is embedding at the same time.
 */
class LocalEmbedderBatchingTest {

    private static final double TOLERANCE = 1e-4;
    private static final String LONG_WORDS = "retrieval augmented generation splits documents into chunks embeds them"
            + " and stores the vectors next to the text so that a question finds the passages that answer it";

    private static List<String> texts;
    private static List<float[]> expected;

    private final Embedder embedder = new Embedders(new ProviderProperties(Map.of(),
            new ProviderProperties.Embedding(Duration.ofSeconds(5), Duration.ofSeconds(60), 5, Duration.ofMillis(500),
                    Duration.ofSeconds(30), 64, 0)), JsonMapper.builder().build(), new SimpleMeterRegistry())
            .embedder("local", "all-minilm-l6-v2", null);

    @BeforeAll
    static void libraryVectors() {
        texts = varied();
        AllMiniLmL6V2EmbeddingModel library = new AllMiniLmL6V2EmbeddingModel();
        expected = library.embedAll(texts.stream().map(TextSegment::from).toList()).content().stream()
                .map(Embedding::vector).toList();
    }

    @Test
    void aBatchOfVariedTextsGetsTheLibrarysVectors() {
        assertMatches(embedder.embed(texts), expected);
    }

    @Test
    void vectorsDoNotDependOnWhatElseIsInTheBatchNorOnItsOrder() {
        List<Integer> shuffled = new ArrayList<>(IntStream.range(0, texts.size()).boxed().toList());
        Collections.shuffle(shuffled, new Random(7));
        List<float[]> vectors = embedder.embed(shuffled.stream().map(texts::get).toList());
        assertMatches(vectors, shuffled.stream().map(expected::get).toList());

        for (int i = 0; i < texts.size(); i += 5) {
            assertMatches(embedder.embed(List.of(texts.get(i))), List.of(expected.get(i)));
        }
    }

    @Test
    void concurrentCallersEachGetTheirOwnVectors() throws Exception {
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<float[]>>> results = new ArrayList<>();
            List<List<Integer>> asked = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(11);
            for (int caller = 0; caller < 6; caller++) {
                List<Integer> indexes = random.ints(8, 0, texts.size()).boxed().toList();
                asked.add(indexes);
                results.add(callers.submit(() -> embedder.embed(indexes.stream().map(texts::get).toList())));
            }
            for (int caller = 0; caller < results.size(); caller++) {
                assertMatches(results.get(caller).get(), asked.get(caller).stream().map(expected::get).toList());
            }
        }
    }

    @Test
    void theModelReadsOnlyATextsFirst126WordPiecesAsTheLibraryDoes() {
        // 150 word pieces, one per word.
        String head = String.join(" ", Collections.nCopies(25, "the cat sat on the mat"));

        List<float[]> vectors = embedder.embed(List.of(head, head + " and then it rained all week in Lisbon",
                "the dog ran in the park " + head));

        assertMatches(List.of(vectors.get(1)), List.of(vectors.get(0)));
        assertThat(largestDifference(vectors.get(2), vectors.get(0))).as("a different beginning changes the vector")
                .isGreaterThan(0.01);
    }

    @Test
    void aTextWithNothingTheModelReadsFailsTheCallPermanently() {
        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedder.embed(List.of("A fine sentence.", "\u0000\u0001\u0002")));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure).hasMessageContaining("The built-in embedding model failed")
                .hasMessageContaining("Text 2 of 2 has nothing the model reads");
    }

    private static void assertMatches(List<float[]> actual, List<float[]> wanted) {
        assertThat(actual).hasSameSizeAs(wanted);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i)).hasSize(384);
            assertThat(largestDifference(actual.get(i), wanted.get(i)))
                    .as("largest difference of vector %d from the library's", i).isLessThan(TOLERANCE);
        }
    }

    private static double largestDifference(float[] a, float[] b) {
        double largest = 0;
        for (int d = 0; d < a.length; d++) {
            largest = Math.max(largest, Math.abs(a[d] - b[d]));
        }
        return largest;
    }

    /** Short and long, several scripts, code, and texts far beyond the model's 512 positions. */
    private static List<String> varied() {
        List<String> all = new ArrayList<>(List.of(
                "Hi",
                "The cat sat on the mat.",
                "Don't split words like un-believable, re-use or e-mail; it's fine.",
                "Die Straße führt über die Brücke zum Schloss, wo Müller wohnt.",
                "L'été dernier, nous avons visité Orléans et la Côte d'Azur.",
                "Быстрая коричневая лиса прыгает через ленивую собаку.",
                "机器学习是人工智能的一个分支，它使计算机能够从数据中学习。",
                "東京は日本の首都です。桜の季節はとても美しいです。",
                "التعلم الآلي هو فرع من فروع الذكاء الاصطناعي.",
                "Emoji 🚀🔥 and symbols ∑ ∫ √ → ≠ are [UNK]-ish for BERT 😀",
                "public static void main(String[] args) { System.out.println(\"hello\"); }",
                "See https://example.com/path?query=1&x=2#frag and mail bob@example.org",
                "Line one\n\n\tLine two\r\nLine three   with   spaces",
                "0123456789 3.14159 2,718 1e-10 -42 +7 100%",
                "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic"));
        SplittableRandom random = new SplittableRandom(3);
        String[] words = LONG_WORDS.split(" ");
        for (int length : new int[] {60, 120, 126, 127, 200, 400, 600, 1_500, 5_000}) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < length; w++) {
                text.append(words[random.nextInt(words.length)]).append(w % 12 == 11 ? ". " : " ");
            }
            all.add(text.toString().strip());
        }
        all.add("Mischtext: " + "Das Modell liest Wörter wie Ähnlichkeitssuche und Vektordatenbank. ".repeat(80));
        all.add("长文本。".repeat(700));
        return List.copyOf(all);
    }
}
