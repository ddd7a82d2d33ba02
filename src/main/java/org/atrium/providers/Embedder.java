package org.atrium.providers;

import java.util.List;

/**
 * Turns texts into vectors with one model. Implementations are thread-safe. Obtain one from
 * {@link Embedders#embedder(String, String, String)}; it is cheap to create and holds no connection of its own.
 */
public interface Embedder {

    /** @return the name of the provider connection the vectors come from */
    String connection();

    /** @return the model name as the provider knows it */
    String model();

    /**
     * Embeds the texts in order (one request per call, the caller batches with {@link #batchSize()}); retries 429,
     * 5xx, connection failures and timeouts with exponential backoff + jitter (honour Retry-After seconds when
     * present, capped at max-backoff), up to max-attempts; other 4xx fail at once. Returns one vector per text, all of
     * the same dimension; a response with the wrong count or inconsistent dimensions is an EmbeddingFailure
     * (permanent).
     *
     * <p>Blocks for as long as the attempts and the waits between them take; call it from a virtual thread or a
     * background job, never inside a database transaction.
     *
     * @param texts the texts, none blank; an empty list gives an empty list without a request
     * @return one vector per text, in the order of {@code texts}
     * @throws EmbeddingFailure         when the provider could not produce the vectors; see
     *                                  {@link EmbeddingFailure#retryable()}
     * @throws IllegalArgumentException when a text is blank (providers refuse them, and they mean nothing to search)
     */
    List<float[]> embed(List<String> texts);

    /** @return how many texts a caller should put in one {@link #embed(List)} call ({@code atrium.providers.embedding.batch-size}) */
    int batchSize();
}
