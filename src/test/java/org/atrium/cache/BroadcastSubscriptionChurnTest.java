package org.atrium.cache;

import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

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
 * Live delivery keeps working for every subscriber: after subscriptions came and went by the hundred from many threads
 * at once (answer streams, progress streams), after the context was paused and restarted, and while another
 * subscriber is blocked.
 */
class BroadcastSubscriptionChurnTest extends IntegrationTest {

    @Autowired
    Broadcasts broadcasts;
    @Autowired
    ConfigurableApplicationContext context;

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

    @Test
    void deliveryResumesAfterTheContextIsPausedAndRestarted() throws Exception {
        // What Spring's test framework does to a cached context while other contexts run (and what broke live
        // events in the shared test context): pausable lifecycle beans stop, the Redis connection factory among
        // them (closing every connection), and start again.
        context.pause();
        context.restart();
        String run = Long.toString(System.nanoTime());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (Broadcasts.Subscription probe = broadcasts.subscribe("resumed." + run, received::add)) {
            String arrived = null;
            for (int attempt = 0; attempt < 50 && arrived == null; attempt++) {
                broadcasts.publish("resumed." + run, "again " + attempt);
                arrived = received.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(arrived).as("a subscriber after the restart receives").startsWith("again ");
        }
    }

    @Test
    void aSubscriberThatBlocksHoldsUpNoOtherSubscriber() throws Exception {
        String run = Long.toString(System.nanoTime());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        // Like an event stream writing to a client that stopped reading: it never returns until released.
        try (Broadcasts.Subscription stuck = broadcasts.subscribe("stuck." + run, message -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }); Broadcasts.Subscription other = broadcasts.subscribe("other." + run, received::add)) {
            for (int attempt = 0; attempt < 50 && blocked.getCount() > 0; attempt++) {
                broadcasts.publish("stuck." + run, "block");
                blocked.await(200, TimeUnit.MILLISECONDS);
            }
            assertThat(blocked.getCount()).as("the blocking subscriber is blocked").isZero();
            String arrived = null;
            for (int attempt = 0; attempt < 50 && arrived == null; attempt++) {
                broadcasts.publish("other." + run, "still live " + attempt);
                arrived = received.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(arrived).as("another subscriber still receives").startsWith("still live ");
        } finally {
            release.countDown();
        }
    }
}
