package org.atrium.providers.internal;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.atrium.platform.LogEvents;
import org.atrium.providers.Embedder;
import org.atrium.providers.EmbeddingFailure;
import org.atrium.providers.ProviderConnection;
import org.atrium.providers.internal.ProviderMetrics.Outcome;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The built-in embedder: all-MiniLM-L6-v2 (384 dimensions) running in Atrium's own process through ONNX, so a fresh
 * installation can index and search without any provider. The model is loaded on first use, once per JVM, and shared
 * by every instance; it parallelises a batch over a small pool of its own platform threads (the work is CPU-bound
 * native code, which would pin virtual threads).
 */
public final class LocalEmbedder implements Embedder {

    /** The only model the {@code local} connection serves. */
    public static final String MODEL = "all-minilm-l6-v2";
    /** The model's vector size. */
    public static final int DIMENSION = 384;
    private static final String OPERATION = "embeddings";
    private static final Logger log = LoggerFactory.getLogger(LocalEmbedder.class);
    private static final Object LOADING = new Object();
    private static volatile @Nullable AllMiniLmL6V2EmbeddingModel shared;

    private final int batchSize;
    private final ProviderMetrics metrics;

    /**
     * @param model     the model name asked for
     * @param batchSize texts per call callers should send
     * @param metrics   where calls are timed
     * @throws EmbeddingFailure (permanent) when the name is not {@value #MODEL}
     */
    public LocalEmbedder(String model, int batchSize, ProviderMetrics metrics) {
        if (!MODEL.equals(model)) {
            throw new EmbeddingFailure("The built-in connection 'local' has only the model '" + MODEL + "', not '"
                    + model + "'. Choose '" + MODEL + "' or another connection.", false, null);
        }
        this.batchSize = batchSize;
        this.metrics = metrics;
    }

    @Override
    public String connection() {
        return ProviderConnection.LOCAL;
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        Texts.requireNonBlank(texts);
        if (texts.isEmpty()) {
            return List.of();
        }
        AllMiniLmL6V2EmbeddingModel loaded = sharedModel();
        long started = System.nanoTime();
        try {
            List<float[]> vectors = loaded.embedAll(texts.stream().map(TextSegment::from).toList()).content()
                    .stream().map(Embedding::vector).toList();
            metrics.record(ProviderConnection.LOCAL, MODEL, OPERATION, Outcome.SUCCESS, System.nanoTime() - started);
            return vectors;
        } catch (RuntimeException failure) {
            metrics.record(ProviderConnection.LOCAL, MODEL, OPERATION, Outcome.FAILURE, System.nanoTime() - started);
            throw new EmbeddingFailure("The built-in embedding model failed: " + failure, false, null, failure);
        }
    }

    /**
     * Loads the model on first use. The library loads it in a static initialiser, so a failed load (usually an
     * unwritable home directory, where the tokenizer unpacks its native library) fails every later call as well until
     * a restart.
     */
    private static AllMiniLmL6V2EmbeddingModel sharedModel() {
        AllMiniLmL6V2EmbeddingModel current = shared;
        if (current != null) {
            return current;
        }
        synchronized (LOADING) {
            current = shared;
            if (current == null) {
                current = load();
                shared = current;
            }
            return current;
        }
    }

    private static AllMiniLmL6V2EmbeddingModel load() {
        long started = System.nanoTime();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // The model reads its files through the context class loader, which on pool threads may not see the
        // application's jars (inside a Spring Boot fat jar it must be the jar's own loader).
        thread.setContextClassLoader(LocalEmbedder.class.getClassLoader());
        try {
            AllMiniLmL6V2EmbeddingModel loaded = new AllMiniLmL6V2EmbeddingModel();
            LogEvents.info(log, "provider.local_model.loaded").addKeyValue("model", MODEL)
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
            return loaded;
        } catch (RuntimeException | LinkageError failure) {
            throw new EmbeddingFailure("The built-in embedding model could not be loaded (" + failure + "). It unpacks"
                    + " a native tokenizer into the home directory (~/.djl.ai), which must be writable.", false,
                    null, failure);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
