package org.atrium.cache;

import org.springframework.context.annotation.Primary;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A {@link ProtocolProbe} that tests control: {@link #arm} a gate at one step for one detail (a cache key or a
 * writer's scopes), and the first thread that reaches that step with a matching detail signals its arrival and waits
 * there until the test {@linkplain Gate#release() releases} it. Other threads, and the same step with another detail,
 * pass through. Every step reached is recorded.
 *
 * <p>{@link ProtocolRaceTestBase} imports it as a bean, {@link Primary} over the product's no-op probe. It is
 * deliberately not a component nor a configuration class: Atrium JVMs started from the test class path
 * ({@code AtriumProcess}) scan this package without the test-type exclusions, and would otherwise pick it up in place
 * of their own probe (and lose {@code ATRIUM_TESTING_HALT_AT}).
 */
@Primary
final class PausingProbe implements ProtocolProbe {

    /** A step reached by a thread. */
    record Reached(Point point, String detail, String thread) {
    }

    /** One armed pause. */
    static final class Gate {
        private final Point point;
        private final Predicate<String> detail;
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile String thread;

        private Gate(Point point, Predicate<String> detail) {
            this.point = point;
            this.detail = detail;
        }

        /** Waits until a thread is paused here; fails the test if none comes in time. */
        void awaitArrival(Duration timeout) {
            try {
                if (!arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("no thread reached " + point + " within " + timeout);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(interrupted);
            }
        }

        /** @return whether a thread is (or was) paused here */
        boolean hasArrived() {
            return arrived.getCount() == 0;
        }

        /** Lets the paused thread (if any, now or later) go on. */
        void release() {
            released.countDown();
        }

        /** @return the name of the thread that was paused */
        String thread() {
            return thread;
        }
    }

    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

    private final AtomicReference<Gate> armed = new AtomicReference<>();
    private final List<Gate> all = new CopyOnWriteArrayList<>();
    private final List<Reached> reached = new CopyOnWriteArrayList<>();

    /**
     * Arms a gate. Only one gate is armed at a time.
     *
     * @param point  the step
     * @param detail which detail pauses (the cache key for readers, the comma-separated scopes for writers)
     * @return the gate
     */
    Gate arm(Point point, Predicate<String> detail) {
        Gate gate = new Gate(point, detail);
        if (!armed.compareAndSet(null, gate)) {
            throw new IllegalStateException("a gate is already armed");
        }
        all.add(gate);
        return gate;
    }

    /** Disarms and releases every gate (between tests, so that no thread stays paused). */
    void reset() {
        armed.set(null);
        all.forEach(Gate::release);
        all.clear();
        reached.clear();
    }

    /** @return the steps reached since the last reset */
    List<Reached> reached() {
        return List.copyOf(reached);
    }

    @Override
    public void reached(Point point, String detail) {
        reached.add(new Reached(point, detail, Thread.currentThread().getName()));
        Gate gate = armed.get();
        if (gate == null || gate.point != point || !gate.detail.test(detail) || !armed.compareAndSet(gate, null)) {
            return;
        }
        gate.thread = Thread.currentThread().getName();
        gate.arrived.countDown();
        try {
            if (!gate.released.await(LONGEST_PAUSE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("paused at " + point + " for more than " + LONGEST_PAUSE);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
