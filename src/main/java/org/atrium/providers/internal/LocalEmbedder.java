package org.atrium.providers.internal;

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
 * The built-in embedder: all-MiniLM-L6-v2 (384 dimensions) running in Atrium's own process through ONNX Runtime, so a
 * fresh installation can index and search without any provider. The model (the files langchain4j ships) is loaded on
 * first use, once per JVM, and shared by every instance.
 *
 * <p>A call's texts are tokenized, sorted by length and grouped into padded inferences of up to 128 tokens (the model
 * reads only a text's first 128), each using {@code atrium.providers.embedding.local-threads} threads (default: every
 * processor). Concurrent callers share the model; their inferences queue so that the cores are not oversubscribed. The vectors are
 * those of langchain4j's {@code AllMiniLmL6V2EmbeddingModel} (same tokenization, truncation, mean pooling and L2
 * normalisation) within float rounding.
 */
public final class LocalEmbedder implements Embedder {

    /** The only model the {@code local} connection serves. */
    public static final String MODEL = "all-minilm-l6-v2";
    /** The model's vector size. */
    public static final int DIMENSION = 384;
    private static final String OPERATION = "embeddings";
    private static final Logger log = LoggerFactory.getLogger(LocalEmbedder.class);
    private static final Object LOADING = new Object();
    private static volatile @Nullable MiniLmModel shared;
    private static volatile @Nullable EmbeddingFailure loadFailure;

    private final int batchSize;
    private final int threads;
    private final ProviderMetrics metrics;

    /**
     * @param model     the model name asked for
     * @param batchSize texts per call callers should send
     * @param threads   ONNX Runtime threads per inference, 0 for one per available processor; read only by the
     *                  instance that loads the model
     * @param metrics   where calls are timed
     * @throws EmbeddingFailure (permanent) when the name is not {@value #MODEL}
     */
    public LocalEmbedder(String model, int batchSize, int threads, ProviderMetrics metrics) {
        if (!MODEL.equals(model)) {
            throw new EmbeddingFailure("The built-in connection 'local' has only the model '" + MODEL + "', not '"
                    + model + "'. Choose '" + MODEL + "' or another connection.", false, null);
        }
        this.batchSize = batchSize;
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
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
        MiniLmModel loaded = sharedModel(threads);
        long started = System.nanoTime();
        try {
            List<float[]> vectors = loaded.embed(texts);
            metrics.record(ProviderConnection.LOCAL, MODEL, OPERATION, Outcome.SUCCESS, System.nanoTime() - started);
            return vectors;
        } catch (RuntimeException failure) {
            metrics.record(ProviderConnection.LOCAL, MODEL, OPERATION, Outcome.FAILURE, System.nanoTime() - started);
            throw new EmbeddingFailure("The built-in embedding model failed: " + failure, false, null, failure);
        }
    }

    /**
     * Loads the model on first use. A failed load (usually an unwritable home directory, where the tokenizer unpacks
     * its native library) fails every later call as well until a restart, as it did when the library loaded the model
     * in a static initialiser, rather than reading 90 MB again on every call.
     */
    private static MiniLmModel sharedModel(int threads) {
        MiniLmModel current = shared;
        if (current != null) {
            return current;
        }
        synchronized (LOADING) {
            current = shared;
            if (current == null) {
                EmbeddingFailure failed = loadFailure;
                if (failed != null) {
                    throw new EmbeddingFailure(failed.getMessage(), false, null, failed);
                }
                try {
                    current = load(threads);
                } catch (EmbeddingFailure failure) {
                    loadFailure = failure;
                    throw failure;
                }
                shared = current;
            }
            return current;
        }
    }

    private static MiniLmModel load(int threads) {
        long started = System.nanoTime();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // DJL finds the tokenizer's native library through the context class loader, which on pool threads may not
        // see the application's jars (inside a Spring Boot fat jar it must be the jar's own loader).
        thread.setContextClassLoader(LocalEmbedder.class.getClassLoader());
        try {
            MiniLmModel loaded = MiniLmModel.load(threads);
            LogEvents.info(log, "provider.local_model.loaded").addKeyValue("model", MODEL)
                    .addKeyValue("threads", threads)
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
            return loaded;
        } catch (Exception | LinkageError failure) {
            throw new EmbeddingFailure("The built-in embedding model could not be loaded (" + failure + "). It unpacks"
                    + " a native tokenizer into the home directory (~/.djl.ai), which must be writable.", false,
                    null, failure);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
