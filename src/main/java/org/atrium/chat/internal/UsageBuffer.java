package org.atrium.chat.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.chat.UsageEvent;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This replica's unflushed usage, aggregated per {@link UsageKey}, and the one background thread that upserts it into
 * PostgreSQL every {@code flushInterval}, early when it holds {@code flushSize} keys, and once more when the
 * application stops (after the web server has finished its requests, before the database pool closes).
 *
 * <p>Bounded: at most {@code maxBuffered} keys wait; a call on a new key beyond that is dropped and counted
 * ({@code atrium.usage.dropped}), since the alternative, writing on the caller's thread, would turn a slow database
 * into slow answers. A failed flush puts its batch back (keys already buffered absorb it; new ones within the bound),
 * so an outage of the database loses nothing until the bound is reached.
 */
final class UsageBuffer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageBuffer.class);

    private final UsageStore store;
    private final Duration flushInterval;
    private final int flushSize;
    private final int maxBuffered;
    private final Counter dropped;
    private final Counter flushFailures;
    /** Guards {@link #buffer}, {@link #inFlight} and {@link #flushRequested}; held for map operations only. */
    private final Object lock = new Object();
    /** One flush at a time (the background thread, the final flush, tests). */
    private final ReentrantLock flushing = new ReentrantLock();
    private Map<UsageKey, UsageCounts> buffer = new HashMap<>();
    /** The batch being written: still counted by {@link #pendingTokens} until it is committed. */
    private Map<UsageKey, UsageCounts> inFlight = Map.of();
    private boolean flushRequested;
    private volatile boolean running;
    private Thread flusher;
    private long lastDropWarning;

    UsageBuffer(UsageStore store, UsageProperties properties, MeterRegistry meters) {
        this.store = store;
        this.flushInterval = properties.flushInterval();
        this.flushSize = properties.flushSize();
        this.maxBuffered = properties.maxBuffered();
        this.dropped = Counter.builder("atrium.usage.dropped")
                .description("Model calls not recorded because the usage buffer was full").register(meters);
        this.flushFailures = Counter.builder("atrium.usage.flush.failures")
                .description("Usage flushes that failed and were put back into the buffer").register(meters);
        Gauge.builder("atrium.usage.buffered", this, UsageBuffer::size)
                .description("Usage keys waiting in this replica's buffer").register(meters);
    }

    /** Adds one call; never blocks on anything but the buffer's lock. */
    void add(UsageEvent event) {
        UsageKey key = UsageKey.of(event);
        synchronized (lock) {
            UsageCounts counts = buffer.get(key);
            if (counts == null) {
                if (buffer.size() >= maxBuffered) {
                    droppedOne();
                    return;
                }
                counts = new UsageCounts();
                buffer.put(key, counts);
            }
            counts.add(event);
            if (buffer.size() >= flushSize && !flushRequested) {
                flushRequested = true;
                lock.notifyAll();
            }
        }
    }

    /**
     * Writes what is buffered now.
     *
     * @return the keys written, 0 when the buffer was empty or the write failed (the batch is then back in the buffer)
     */
    int flush() {
        flushing.lock();
        try {
            Map<UsageKey, UsageCounts> batch;
            synchronized (lock) {
                if (buffer.isEmpty()) {
                    return 0;
                }
                batch = buffer;
                buffer = new HashMap<>();
                inFlight = batch;
            }
            try {
                store.add(batch);
                return batch.size();
            } catch (RuntimeException failure) {
                flushFailures.increment();
                LogEvents.warn(log, "usage.flush.failed").addKeyValue("keys", batch.size())
                        .addKeyValue("reason", failure.getClass().getSimpleName()).log();
                putBack(batch);
                return 0;
            } finally {
                synchronized (lock) {
                    inFlight = Map.of();
                }
            }
        } finally {
            flushing.unlock();
        }
    }

    /**
     * @param userId a user
     * @param since  the start of their quota day
     * @return their tokens in this buffer and in the batch being written, from hours starting at or after
     *         {@code since} (the quota's seed adds these to what PostgreSQL holds)
     */
    long pendingTokens(UUID userId, Instant since) {
        synchronized (lock) {
            return tokens(buffer, userId, since) + tokens(inFlight, userId, since);
        }
    }

    /** @return the keys waiting */
    int size() {
        synchronized (lock) {
            return buffer.size();
        }
    }

    private static long tokens(Map<UsageKey, UsageCounts> counts, UUID userId, Instant since) {
        long sum = 0;
        for (Map.Entry<UsageKey, UsageCounts> entry : counts.entrySet()) {
            if (entry.getKey().userId().equals(userId) && !entry.getKey().hour().isBefore(since)) {
                sum += entry.getValue().tokens();
            }
        }
        return sum;
    }

    private void putBack(Map<UsageKey, UsageCounts> batch) {
        synchronized (lock) {
            for (Map.Entry<UsageKey, UsageCounts> entry : batch.entrySet()) {
                UsageCounts current = buffer.get(entry.getKey());
                if (current != null) {
                    current.add(entry.getValue());
                } else if (buffer.size() < maxBuffered) {
                    buffer.put(entry.getKey(), entry.getValue());
                } else {
                    dropped.increment(entry.getValue().requests);
                }
            }
        }
    }

    /** Counts the drop; warns at most once a minute, so a full buffer cannot flood the log. */
    private void droppedOne() {
        dropped.increment();
        long now = System.nanoTime();
        if (lastDropWarning == 0 || now - lastDropWarning > Duration.ofMinutes(1).toNanos()) {
            lastDropWarning = now;
            LogEvents.warn(log, "usage.buffer.full").addKeyValue("keys", maxBuffered).log();
        }
    }

    private void run() {
        while (running) {
            synchronized (lock) {
                if (!flushRequested) {
                    try {
                        lock.wait(Math.max(1, flushInterval.toMillis()));
                    } catch (InterruptedException stopping) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                flushRequested = false;
            }
            if (running) {
                try {
                    flush();
                } catch (RuntimeException unexpected) {
                    LogEvents.warn(log, "usage.flush.failed")
                            .addKeyValue("reason", unexpected.getClass().getSimpleName()).log();
                }
            }
        }
    }

    @Override
    public void start() {
        running = true;
        flusher = Thread.ofVirtual().name("usage-flush").start(this::run);
    }

    /** Stops the thread and writes what is left: a graceful shutdown loses no usage. */
    @Override
    public void stop() {
        running = false;
        Thread thread = flusher;
        if (thread != null) {
            // Woken, not interrupted: an interrupt during a write could break its database connection.
            synchronized (lock) {
                lock.notifyAll();
            }
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        int written = flush();
        LogEvents.info(log, "usage.flush.final").addKeyValue("keys", written).log();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Below the web server's (which stops at {@code DEFAULT_PHASE - 2048}): stops after requests have finished. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
