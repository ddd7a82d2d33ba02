package org.atrium.settings.web;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the event streams open on this replica, per account and in total, so that one account (or everyone
 * together) cannot hold an unbounded number of connections. Per replica by design: a stream is a connection to one
 * process, a count in Redis would outlive a replica that was killed, and with {@code n} replicas an account can hold
 * at most {@code n} times its limit.
 */
final class StreamSlots {

    /** A taken slot; releasing it more than once releases it once. */
    interface Slot {
        void release();
    }

    private final int perUser;
    private final int perReplica;
    private final ConcurrentHashMap<UUID, Integer> byUser = new ConcurrentHashMap<>();
    private int total;

    StreamSlots(int perUser, int perReplica) {
        this.perUser = perUser;
        this.perReplica = perReplica;
    }

    /**
     * Takes a slot for one more stream of an account.
     *
     * @param userId the account
     * @return the slot, or empty when the account or the replica is at its limit
     */
    synchronized Optional<Slot> take(UUID userId) {
        int open = byUser.getOrDefault(userId, 0);
        if (open >= perUser || total >= perReplica) {
            return Optional.empty();
        }
        byUser.put(userId, open + 1);
        total++;
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(() -> {
            if (released.compareAndSet(false, true)) {
                release(userId);
            }
        });
    }

    /** @return streams open on this replica */
    synchronized int open() {
        return total;
    }

    private synchronized void release(UUID userId) {
        byUser.computeIfPresent(userId, (id, open) -> open <= 1 ? null : open - 1);
        total--;
    }
}
