package org.atrium.chat;

import java.util.UUID;

/**
 * Which models have answers streaming right now, across every replica. Each streaming answer holds an entry from
 * {@link #begin} until {@link Handle#close()}:
 *
 * <pre>{@code
 * try (ModelsInUse.Handle inUse = modelsInUse.begin(model, connection, messageId)) {
 *     ... stream the answer ...
 * }
 * }</pre>
 *
 * <p>Entries expire on their own: each carries a deadline ({@code atrium.usage.models-in-use-ttl} ahead) that this
 * replica pushes forward every third of that time while the handle is open. A replica that is killed stops pushing,
 * and its entries drop out of the view within the TTL: no cleanup job, no lock to renew. In cluster mode the entries
 * are members of one Redis sorted set scored by deadline (readers and writers drop the expired ones as they go, and
 * the set itself expires when nobody writes); on a single node they are kept in this process.
 */
public interface ModelsInUse {

    /**
     * Marks an answer as streaming on this replica.
     *
     * @param model      the model's id, for example {@code gpt-4o}
     * @param connection the connection's name, for example {@code openai}
     * @param messageId  the assistant message being streamed
     * @return the handle to close when the stream ends, however it ends
     */
    Handle begin(String model, String connection, UUID messageId);

    /**
     * @return the answers streaming now, counted by model and connection, from every replica
     */
    ModelsInUseView view();

    /** An entry held while an answer streams. Closing twice is harmless. */
    interface Handle extends AutoCloseable {

        /** Removes the entry at once (it would expire anyway). */
        @Override
        void close();
    }
}
