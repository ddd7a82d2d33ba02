package org.atrium.cache;

import java.util.function.Consumer;

/**
 * Live notifications to every replica (Redis pub/sub in cluster mode, this process on a single node), for things a
 * connected user watches, like ingestion progress. Delivery is best effort: a message published while Redis is
 * unreachable is dropped, so a message must never be the only place a fact is kept; subscribers re-read state from
 * PostgreSQL when it matters.
 */
public interface Broadcasts {

    /**
     * Sends a message to every replica's subscribers of the topic, this replica's included. Never throws.
     *
     * @param topic   what it is about, for example {@code knowledge}
     * @param message the payload, usually JSON
     */
    void publish(String topic, String message);

    /**
     * Receives messages published on the topic from now on, on any replica. Never throws: when Redis is
     * unreachable or refuses pub/sub, the subscription receives nothing and the failure is logged.
     *
     * @param topic    the topic
     * @param receiver called for each message, on a thread of the transport: keep it short
     * @return a handle that stops the delivery
     */
    Subscription subscribe(String topic, Consumer<String> receiver);

    /** Stops a subscription. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
