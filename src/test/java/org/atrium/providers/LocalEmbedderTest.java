package org.atrium.providers;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The built-in connection: all-MiniLM-L6-v2 in this process. */
class LocalEmbedderTest {

    private final Embedders embedders = new Embedders(new ProviderProperties(Map.of(), defaults()),
            JsonMapper.builder().build(), new SimpleMeterRegistry());

    @Test
    void embedsInProcessAndSimilarSentencesAreCloserThanUnrelatedOnes() {
        Embedder embedder = embedders.embedder("local", "all-minilm-l6-v2", "ignored-secret");
        long started = System.nanoTime();

        List<float[]> vectors = embedder.embed(List.of(
                "The cat sat on the mat.",
                "A cat was sitting on a rug.",
                "Quarterly revenue grew by eight percent."));

        long firstCall = System.nanoTime() - started;
        assertThat(vectors).hasSize(3).allSatisfy(v -> assertThat(v).hasSize(384));
        assertThat(cosine(vectors.get(0), vectors.get(1))).isGreaterThan(cosine(vectors.get(0), vectors.get(2)) + 0.2);
        assertThat(embedder.connection()).isEqualTo("local");
        assertThat(embedder.model()).isEqualTo("all-minilm-l6-v2");
        assertThat(embedder.batchSize()).isEqualTo(64);

        List<String> batch = IntStream.range(0, 64).mapToObj(i -> "Sentence number " + i
                + " about a subject worth searching for later.").toList();
        started = System.nanoTime();
        assertThat(embedder.embed(batch)).hasSize(64);
        long perText = (System.nanoTime() - started) / batch.size();
        System.out.printf("local model: first call (load + 3 texts) %d ms, then %.2f ms per text in a batch of 64%n",
                Duration.ofNanos(firstCall).toMillis(), perText / 1e6);
    }

    @Test
    void theLocalConnectionHasOnlyItsOneModel() {
        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders.embedder("local", "text-embedding-3-small", null));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure).hasMessage("The built-in connection 'local' has only the model 'all-minilm-l6-v2', not"
                + " 'text-embedding-3-small'. Choose 'all-minilm-l6-v2' or another connection.");
    }

    @Test
    void theLocalConnectionAlwaysExistsAndNeedsNoCredential() {
        assertThat(embedders.connection("local")).get().satisfies(local -> {
            assertThat(local.type()).isEqualTo(ProviderConnection.Type.LOCAL);
            assertThat(local.baseUrl()).isNull();
            assertThat(local.requiresCredential()).isFalse();
        });
        assertThat(embedders.connections()).extracting(ProviderConnection::name).containsExactly("local");
    }

    private static ProviderProperties.Embedding defaults() {
        return new ProviderProperties.Embedding(Duration.ofSeconds(5), Duration.ofSeconds(60), 5,
                Duration.ofMillis(500), Duration.ofSeconds(30), 64, 0);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
