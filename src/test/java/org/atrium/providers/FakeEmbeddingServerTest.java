package org.atrium.providers;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.atrium.providers.ProviderConnection.Type;
import org.atrium.providers.ProviderProperties.Connection;
import org.atrium.testing.FakeEmbeddingServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** The test server other modules' tests rely on, driven through the real clients. */
class FakeEmbeddingServerTest {

    private static final ProviderProperties.Embedding SETTINGS = new ProviderProperties.Embedding(
            Duration.ofSeconds(2), Duration.ofSeconds(10), 5, Duration.ofMillis(1), Duration.ofMillis(20), 64, 0);

    @Test
    void keywordVectorsPutAQueryClosestToTheTextsThatMentionIt() {
        try (FakeEmbeddingServer server = FakeEmbeddingServer.withKeywords("kiwi", "mango", "lime")) {
            Embedder embedder = embedders(server).embedder("ollama", "any", null);

            List<float[]> vectors = embedder.embed(List.of("Kiwi", "A KIWI orchard; kiwi harvest in May",
                    "Mango season", "Nothing relevant at all"));

            float[] query = vectors.get(0);
            assertThat(query).hasSize(3);
            assertThat(dot(query, vectors.get(1))).isGreaterThan(0.99);
            assertThat(dot(query, vectors.get(2))).isLessThan(0.1);
            assertThat(dot(query, vectors.get(1))).isGreaterThan(dot(query, vectors.get(3)));
            assertThat(dot(vectors.get(3), vectors.get(3))).isCloseTo(1.0, offset(1e-5));
        }
    }

    @Test
    void hashVectorsAreTheSameForTheSameTextAcrossCallsAndEndpoints() {
        try (FakeEmbeddingServer server = FakeEmbeddingServer.start(16)) {
            Embedders embedders = embedders(server);

            float[] viaOpenAi = embedders.embedder("openai", "m", "k").embed(List.of("same text")).getFirst();
            float[] viaOllama = embedders.embedder("ollama", "m", null).embed(List.of("same text")).getFirst();

            assertThat(viaOpenAi).hasSize(16).containsExactly(viaOllama);
            assertThat(viaOpenAi).containsExactly(server.vectorOf("same text"));
            assertThat(server.vectorOf("other text")).isNotEqualTo(viaOpenAi);
        }
    }

    @Test
    void bagOfWordsVectorsArriveOverHttpAndEveryEmbeddedTextReachesTheListenerUntilItIsRemoved() {
        try (FakeEmbeddingServer server = FakeEmbeddingServer.bagOfWords(384)) {
            Embedder embedder = embedders(server).embedder("openai", "m", "k");
            Map<String, float[]> heard = new java.util.concurrent.ConcurrentHashMap<>();
            server.onEmbedded(heard::put);

            List<float[]> vectors = embedder.embed(List.of("kiwi mango", "kiwi mango orchard", "granite violin"));
            server.onEmbedded(null);
            embedder.embed(List.of("not heard"));

            assertThat(vectors.getFirst()).hasSize(384).containsExactly(server.vectorOf("kiwi mango"));
            assertThat(dot(vectors.get(0), vectors.get(1))).isGreaterThan(0.7);
            assertThat(Math.abs(dot(vectors.get(0), vectors.get(2)))).isLessThan(0.25);
            assertThat(heard).containsOnlyKeys("kiwi mango", "kiwi mango orchard", "granite violin");
            assertThat(heard.get("granite violin")).containsExactly(vectors.get(2));
        }
    }

    @Test
    void manyThreadsCanShareOneEmbedderAndOneServer() throws Exception {
        try (FakeEmbeddingServer server = FakeEmbeddingServer.start();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Embedder embedder = embedders(server).embedder("openai", "m", "k");
            // Some calls meet a scripted 429 or 503 and must still succeed on a later attempt.
            server.failNext(5, 429).failNext(5, 503);

            List<Future<List<float[]>>> calls = new ArrayList<>();
            for (int call = 0; call < 64; call++) {
                List<String> texts = IntStream.range(0, 1 + call % 7).mapToObj(i -> "text " + i).toList();
                calls.add(threads.submit(() -> embedder.embed(texts)));
            }

            int texts = 0;
            for (int call = 0; call < calls.size(); call++) {
                List<float[]> vectors = calls.get(call).get();
                assertThat(vectors).hasSize(1 + call % 7);
                assertThat(vectors.getLast()).containsExactly(server.vectorOf("text " + (call % 7)));
                texts += vectors.size();
            }
            assertThat(server.requests()).isEqualTo(64 + 10);
            assertThat(server.textsEmbedded()).isEqualTo(texts);
            assertThat(server.batchSizes()).hasSize(74);
        }
    }

    private static Embedders embedders(FakeEmbeddingServer server) {
        return new Embedders(new ProviderProperties(Map.of(
                "openai", new Connection(Type.OPENAI, URI.create(server.openAiBaseUrl())),
                "ollama", new Connection(Type.OLLAMA, URI.create(server.ollamaBaseUrl()))), SETTINGS),
                JsonMapper.builder().build(), new SimpleMeterRegistry());
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
