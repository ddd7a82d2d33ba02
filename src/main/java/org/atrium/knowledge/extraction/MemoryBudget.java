package org.atrium.knowledge.extraction;

import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;

/**
 * The heap that concurrent extractions of this process share, in MiB: an extraction takes a share proportional to
 * the size of its document (at most the whole budget, so one huge document runs alone) and waits, first come first
 * served, until that much is free. The limits on inflated sizes bound what one document can take; this bounds what
 * all of them take together.
 */
final class MemoryBudget {

    private static final long MIB = 1024 * 1024;

    private final int total;
    private final Semaphore free;

    MemoryBudget(long bytes) {
        this.total = (int) Math.clamp(bytes / MIB, 1, Integer.MAX_VALUE);
        this.free = new Semaphore(total, true);
    }

    /**
     * @param estimate the bytes the extraction is expected to hold at most
     * @return the share taken, to {@link #release}
     * @throws InterruptedIOException when the thread is interrupted while waiting
     */
    int acquire(long estimate) throws InterruptedIOException {
        int share = (int) Math.clamp((estimate + MIB - 1) / MIB, 1, total);
        try {
            free.acquire(share);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for memory to extract a document");
        }
        return share;
    }

    void release(int share) {
        free.release(share);
    }

    /** @return the MiB free now (for tests and metrics) */
    int available() {
        return free.availablePermits();
    }
}
