package org.atrium.cache;

import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Subscriptions that come and go by the hundred, from many threads at once (answer streams, progress streams), must
 * leave live delivery working for everyone: Spring's listener container, used that way, ended up with a closed
 * subscription and every later subscriber of the replica received nothing.
 */
class BroadcastSubscriptionChurnTest extends IntegrationTest {

    @Autowired
    Broadcasts broadcasts;

    @Test
    void deliveryKeepsWorkingAfterConcurrentSubscribeAndClose() throws Exception {
        String run = Long.toString(System.nanoTime());
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> churn = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            churn.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 100; i++) {
                    broadcasts.subscribe("churn." + run + "." + thread + "." + i, message -> { }).close();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> each : churn) {
            each.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        BlockingQueue<String> closedReceived = new LinkedBlockingQueue<>();
        Broadcasts.Subscription closed = broadcasts.subscribe("probe." + run, closedReceived::add);
        closed.close();
        try (Broadcasts.Subscription probe = broadcasts.subscribe("probe." + run, received::add)) {
            // Publish until one arrives: the first message may precede the subscription reaching Redis.
            String arrived = null;
            for (int attempt = 0; attempt < 50 && arrived == null; attempt++) {
                broadcasts.publish("probe." + run, "hello " + attempt);
                arrived = received.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(arrived).as("a subscriber after the churn still receives").startsWith("hello ");
        }
        assertThat(closedReceived).as("a closed subscription receives nothing").isEmpty();
    }
}
