package org.atrium.cache;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Broadcasts within this process: on a single node there is no other replica to reach. Each subscription receives
 * its messages in order on a thread of its own ({@link Mailbox}), so a slow receiver holds up neither the publisher
 * nor the other subscribers.
 */
final class LocalBroadcasts implements Broadcasts {

    private final Map<String, Set<Mailbox>> receivers = new ConcurrentHashMap<>();

    @Override
    public void publish(String topic, String message) {
        receivers.getOrDefault(topic, Set.of()).forEach(subscriber -> subscriber.deliver(message));
    }

    @Override
    public Subscription subscribe(String topic, Consumer<String> receiver) {
        return Mailbox.register(receivers, topic, receiver);
    }
}
