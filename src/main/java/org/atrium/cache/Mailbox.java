package org.atrium.cache;

import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One subscription's deliveries, in order, on a virtual thread of its own that exists only while messages wait. A
 * receiver that blocks (an event stream writing to a client that stopped reading, a slow query) delays only its own
 * messages: with one delivery thread for all, it stopped every live event of the replica. A subscriber more than
 * {@value #CAPACITY} messages behind loses the newest, as {@link Broadcasts} allows.
 */
final class Mailbox implements Broadcasts.Subscription {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);
    private static final int CAPACITY = 1_000;

    private final ThreadPoolExecutor worker;
    private final Runnable onClose;
    private final Consumer<String> receiver;

    /**
     * @param topic    the topic, for names in the log
     * @param receiver called for each message, in order
     * @param onClose  run when the subscription is closed (to forget it)
     */
    Mailbox(String topic, Consumer<String> receiver, Runnable onClose) {
        this.onClose = onClose;
        this.worker = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(CAPACITY),
                Thread.ofVirtual().name("broadcast-" + topic).factory(), (dropped, executor) -> {
                    if (!executor.isShutdown()) {
                        LogEvents.warn(log, "events.deliver.dropped").addKeyValue("topic", topic)
                                .addKeyValue("reason", "subscriber_behind").log();
                    }
                });
        worker.allowCoreThreadTimeOut(true);
        this.receiver = message -> {
            try {
                receiver.accept(message);
            } catch (RuntimeException failed) {
                LogEvents.warn(log, "events.deliver.failed").addKeyValue("topic", topic)
                        .addKeyValue("reason", failed.getClass().getSimpleName()).log();
            }
        };
    }

    /**
     * Subscribes a receiver in a registry of mailboxes by topic; closing the subscription takes it out again.
     *
     * @return the subscription
     */
    static Mailbox register(Map<String, Set<Mailbox>> registry, String topic, Consumer<String> receiver) {
        Mailbox[] created = new Mailbox[1];
        created[0] = new Mailbox(topic, receiver, () -> registry.computeIfPresent(topic, (t, set) -> {
            set.remove(created[0]);
            return set.isEmpty() ? null : set;
        }));
        registry.compute(topic, (t, set) -> {
            Set<Mailbox> subscribers = set == null ? ConcurrentHashMap.newKeySet() : set;
            subscribers.add(created[0]);
            return subscribers;
        });
        return created[0];
    }

    /** Queues a message for the receiver; never blocks. */
    void deliver(String message) {
        worker.execute(() -> receiver.accept(message));
    }

    @Override
    public void close() {
        onClose.run();
        worker.shutdownNow();
    }
}
