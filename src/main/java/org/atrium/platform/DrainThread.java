package org.atrium.platform;

import org.jspecify.annotations.Nullable;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Work done in order by one virtual thread at a time, a thread that exists only while there is work: {@link #wake()}
 * starts one unless one holds the work, and it ends as soon as nothing is left. A thread parked for every idle
 * subscriber or stream kept its stack, most of an idle answer stream's heap (docs/benchmarks.md).
 *
 * <p>{@code drain} does what is waiting. After the thread lets go, {@code more} says whether something arrived
 * meanwhile (and may arrange to be woken later if not); the thread then takes the work again, unless a
 * {@link #wake()} already started another. So no wake-up is lost: what is queued before {@code wake()} is drained
 * by a thread that holds the work after it was queued. Failures are {@code drain}'s to handle.
 */
public final class DrainThread {

    private final String name;
    private final Runnable drain;
    private final BooleanSupplier more;
    /** Whether a thread holds the work (or is about to): whoever sets it runs the work or starts a thread for it. */
    private final AtomicBoolean held = new AtomicBoolean();
    private final AtomicReference<@Nullable Thread> draining = new AtomicReference<>();

    /**
     * @param name  the threads' name
     * @param drain does what is waiting, on the thread that holds the work
     * @param more  whether something is waiting, asked after the thread let go
     */
    public DrainThread(String name, Runnable drain, BooleanSupplier more) {
        this.name = name;
        this.drain = drain;
        this.more = more;
    }

    /** Something is waiting: starts a thread to drain it unless one holds the work. Never blocks. */
    public void wake() {
        if (held.compareAndSet(false, true)) {
            start();
        }
    }

    /**
     * Holds the work on the calling thread, to do its first part there; {@link #release()} lets go.
     *
     * @return whether it took the work ({@code false}: another thread holds it)
     */
    public boolean hold() {
        return held.compareAndSet(false, true);
    }

    /** Lets go of the work taken by {@link #hold()}: a thread drains what arrived meanwhile. */
    public void release() {
        if (letGo()) {
            start();
        }
    }

    /** Interrupts the thread draining now, if any (a receiver blocked on a subscription being closed). */
    public void interrupt() {
        Thread current = draining.get();
        if (current != null) {
            current.interrupt();
        }
    }

    private void start() {
        Thread.ofVirtual().name(name).start(this::run);
    }

    private void run() {
        Thread self = Thread.currentThread();
        draining.set(self);
        try {
            do {
                drain.run();
            } while (letGo());
        } finally {
            draining.compareAndSet(self, null);
        }
    }

    /** @return whether it took the work again, something having arrived while it held it */
    private boolean letGo() {
        held.set(false);
        return more.getAsBoolean() && held.compareAndSet(false, true);
    }
}
