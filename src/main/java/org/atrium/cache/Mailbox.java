package org.atrium.cache;

import org.atrium.platform.DrainThread;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One subscription's deliveries, in order, on a virtual thread of its own that exists only while messages wait
 * ({@link DrainThread}: an answer's feed subscribes for as long as the answer streams, and a thread kept alive after
 * each delivery was a parked stack per open stream). A receiver that blocks (an event stream writing to a client
 * that stopped reading, a slow query) delays only its own messages: with one delivery thread for all, it stopped
 * every live event of the replica. A subscriber more than {@value #CAPACITY} messages behind loses the newest, as
 * {@link Broadcasts} allows.
 */
final class Mailbox implements Broadcasts.Subscription {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);
    private static final int CAPACITY = 1_000;

    private final String topic;
    private final Runnable onClose;
    private final Consumer<String> receiver;
    private final ConcurrentLinkedQueue<String> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final DrainThread deliverer;
    private volatile boolean closed;

    /**
     * @param topic    the topic, for names in the log
     * @param receiver called for each message, in order
     * @param onClose  run when the subscription is closed (to forget it)
     */
    Mailbox(String topic, Consumer<String> receiver, Runnable onClose) {
        this.topic = topic;
        this.onClose = onClose;
        this.receiver = receiver;
        this.deliverer = new DrainThread("broadcast-" + topic, this::deliverWaiting,
                () -> !closed && !waiting.isEmpty());
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
        if (closed) {
            return;
        }
        if (count.incrementAndGet() > CAPACITY) {
            count.decrementAndGet();
            LogEvents.warn(log, "events.deliver.dropped").addKeyValue("topic", topic)
                    .addKeyValue("reason", "subscriber_behind").log();
            return;
        }
        waiting.add(message);
        deliverer.wake();
    }

    private void deliverWaiting() {
        String message;
        while (!closed && (message = waiting.poll()) != null) {
            count.decrementAndGet();
            receive(message);
        }
    }

    private void receive(String message) {
        try {
            receiver.accept(message);
        } catch (RuntimeException failed) {
            LogEvents.warn(log, "events.deliver.failed").addKeyValue("topic", topic)
                    .addKeyValue("reason", failed.getClass().getSimpleName()).log();
        }
    }

    /** Forgets the subscription and what waits for it; a delivery under way is interrupted. */
    @Override
    public void close() {
        closed = true;
        onClose.run();
        waiting.clear();
        deliverer.interrupt();
    }
}
