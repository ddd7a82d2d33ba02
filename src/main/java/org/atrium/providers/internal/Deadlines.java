package org.atrium.providers.internal;

import io.netty.util.Timeout;
import org.atrium.providers.CallTimeouts;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The timeouts of one chat call: total (from the start of the call), first token (from the start of each attempt to
 * the first output) and idle (between two lines once output started). The call's thread reports progress; the
 * engine's timer thread checks, at the earliest deadline only, and runs the expiry action once when one has
 * passed. Thread-safe.
 */
final class Deadlines {

    /**
     * Which timeout expired.
     *
     * @param phase the phrase for the failure message ({@code "to start answering"})
     * @param limit the timeout's value
     */
    record Expiry(String phase, Duration limit) {
    }

    private final ChatEngine engine;
    private final CallTimeouts timeouts;
    private final Runnable onExpiry;
    private final BooleanSupplier over;
    private final long started = System.nanoTime();
    private volatile boolean inAttempt;
    private volatile long attemptStarted;
    private volatile long lastActivity;
    private volatile long firstOutput;
    private volatile @Nullable Expiry expired;
    /**
     * When the pending check runs (0: none), the last check scheduled (cancelling one that has run does nothing), and
     * whether checks have stopped; guarded by this.
     */
    private long checkAt;
    private @Nullable Timeout pending;
    private boolean stopped;

    /**
     * @param engine   whose timer runs the checks
     * @param timeouts the call's timeouts
     * @param onExpiry run once, on the timer's thread, when a timeout expires
     * @param over     true once the call has ended or been cancelled (checks stop)
     */
    Deadlines(ChatEngine engine, CallTimeouts timeouts, Runnable onExpiry, BooleanSupplier over) {
        this.engine = engine;
        this.timeouts = timeouts;
        this.onExpiry = onExpiry;
        this.over = over;
    }

    /** Starts the total timeout. */
    void start() {
        arm(deadline());
    }

    /** An attempt begins: its first-token timeout starts. */
    void attemptStarted() {
        attemptStarted = System.nanoTime();
        lastActivity = attemptStarted;
        inAttempt = true;
        arm(attemptStarted + timeouts.firstToken().toNanos());
    }

    /** The attempt is over: only the total timeout applies until the next. */
    void attemptEnded() {
        inAttempt = false;
    }

    /** A line arrived. */
    void activity() {
        lastActivity = System.nanoTime();
    }

    /** Output is about to reach the listener; the first one switches from the first-token to the idle timeout. */
    void output() {
        if (firstOutput == 0) {
            firstOutput = System.nanoTime();
            // The idle deadline may come before the check armed for the first token.
            arm(firstOutput + timeouts.idle().toNanos());
        }
    }

    /**
     * The call has ended: the pending check is taken out of the timer's wheel, where it would otherwise keep the
     * whole call (its listener, its request and response) alive until its time came, a minute or more after a call
     * that took milliseconds.
     */
    void stop() {
        Timeout cancelled;
        synchronized (this) {
            stopped = true;
            cancelled = pending;
            pending = null;
            checkAt = 0;
        }
        if (cancelled != null) {
            cancelled.cancel();
        }
    }

    /** @return the timeout that expired, if one did */
    @Nullable Expiry expired() {
        return expired;
    }

    /** @return when the total timeout expires, in {@link System#nanoTime()} terms */
    long deadline() {
        return started + timeouts.total().toNanos();
    }

    /** @return from the start of the call to the first output; null when none came */
    @Nullable Duration firstToken() {
        long first = firstOutput;
        return first == 0 ? null : Duration.ofNanos(first - started);
    }

    /** @return since the start of the call */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Runs on the timer's thread: expires the call when a deadline has passed, else checks again at the next. */
    private void check() {
        synchronized (this) {
            // pending stays: if this check was replaced by an earlier one while it started, that one is pending.
            checkAt = 0;
        }
        if (over.getAsBoolean() || expired != null) {
            return;
        }
        long next = deadline();
        Expiry expiry = new Expiry("to finish its answer", timeouts.total());
        if (inAttempt) {
            long phase = firstOutput == 0 ? attemptStarted + timeouts.firstToken().toNanos()
                    : lastActivity + timeouts.idle().toNanos();
            if (phase < next) {
                next = phase;
                expiry = firstOutput == 0 ? new Expiry("to start answering", timeouts.firstToken())
                        : new Expiry("between two parts of its answer", timeouts.idle());
            }
        }
        if (System.nanoTime() >= next) {
            expired = expiry;
            onExpiry.run();
            return;
        }
        arm(next);
    }

    /**
     * Makes sure a check runs no later than {@code at}. Only the earliest check is scheduled (a later one is
     * cancelled); a check that finds nothing expired schedules the next, so one chain of checks runs per call.
     */
    private synchronized void arm(long at) {
        if (stopped || (checkAt != 0 && checkAt <= at)) {
            return;
        }
        if (pending != null) {
            pending.cancel();
        }
        checkAt = at;
        pending = engine.schedule(this::check, at - System.nanoTime());
    }
}
