package org.atrium.platform;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** One thread at a time, only while there is work, no wake-up lost, a blocked drain interrupted. */
class DrainThreadTest {

    private static final int PIECES = 20_000;

    private final java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Test
    void everythingQueuedIsDrainedInOrderByOneThreadAtATimeWhateverTheThreadsThatQueueIt() throws Exception {
        ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
        List<Integer> drained = new ArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(PIECES);
        DrainThread worker = new DrainThread("drain-test", () -> {
            seen.add(Thread.currentThread());
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            Integer piece;
            while ((piece = queue.poll()) != null) {
                drained.add(piece); // unsynchronised on purpose: one thread at a time, each after the previous let go
                all.countDown();
            }
            inside.decrementAndGet();
        }, () -> !queue.isEmpty());

        // Each piece is queued, then woken for, from two threads in turn: a lost wake-up leaves a piece undrained.
        Thread[] producers = new Thread[2];
        for (int p = 0; p < producers.length; p++) {
            int first = p;
            producers[p] = Thread.ofPlatform().start(() -> {
                for (int i = first; i < PIECES; i += producers.length) {
                    queue.add(i);
                    worker.wake();
                    if (i % 64 == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
        }
        for (Thread producer : producers) {
            producer.join();
        }
        assertThat(all.await(30, TimeUnit.SECONDS)).as("every piece drained, %d left", all.getCount()).isTrue();
        assertThat(overlaps).hasValue(0);
        assertThat(drained).hasSize(PIECES).doesNotHaveDuplicates();
        // Each producer's own pieces come out in the order it queued them.
        assertThat(drained.stream().filter(piece -> piece % 2 == 0).toList()).isSorted();
        assertThat(drained.stream().filter(piece -> piece % 2 == 1).toList()).isSorted();
        awaitNoDrainThread();
    }

    @Test
    void workHeldByTheCallerIsDoneThereAndWhatArrivesMeanwhileByAThreadStartedOnRelease() throws Exception {
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch drained = new CountDownLatch(1);
        DrainThread worker = new DrainThread("drain-test", () -> {
            seen.add(Thread.currentThread());
            while (queue.poll() != null) {
                threads.add(Thread.currentThread().getName());
                drained.countDown();
            }
        }, () -> !queue.isEmpty());

        assertThat(worker.hold()).isTrue();
        assertThat(worker.hold()).as("held already").isFalse();
        queue.add("meanwhile");
        worker.wake(); // held: no thread starts
        Thread.sleep(100);
        assertThat(threads).isEmpty();
        worker.release();
        assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).containsExactly("drain-test");
        awaitNoDrainThread();
    }

    @Test
    void aDrainBlockedWhenInterruptedIsWokenAndTheThreadEnds() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        DrainThread worker = new DrainThread("drain-test", () -> {
            seen.add(Thread.currentThread());
            blocked.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException expected) {
                interrupted.countDown();
            }
        }, () -> false);
        worker.wake();
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        worker.interrupt();
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        awaitNoDrainThread();
    }

    /** The threads end as soon as nothing is left: none is parked once the work is done. */
    private void awaitNoDrainThread() throws InterruptedException {
        assertThat(seen).isNotEmpty();
        for (Thread thread : seen) {
            assertThat(thread.isVirtual()).isTrue();
            assertThat(thread.join(java.time.Duration.ofSeconds(10))).as("%s ended", thread).isTrue();
        }
    }
}
