package org.atrium.cache;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Broadcasts within this process: on a single node there is no other replica to reach. Messages are delivered in
 * order on one thread of their own, so a slow receiver never holds up the publisher.
 */
final class LocalBroadcasts implements Broadcasts, AutoCloseable {

    private final Map<String, Set<Consumer<String>>> receivers = new ConcurrentHashMap<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(Thread.ofVirtual()
            .name("broadcasts").factory());

    @Override
    public void publish(String topic, String message) {
        delivery.execute(() -> receivers.getOrDefault(topic, Set.of()).forEach(receiver -> receiver.accept(message)));
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }

    @Override
    public Subscription subscribe(String topic, Consumer<String> receiver) {
        receivers.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(receiver);
        return () -> receivers.getOrDefault(topic, Set.of()).remove(receiver);
    }
}
