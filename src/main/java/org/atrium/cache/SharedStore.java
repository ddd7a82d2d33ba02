package org.atrium.cache;

import org.jspecify.annotations.Nullable;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Where versions (and, in cluster mode, serialised entries) live for all replicas: Redis in cluster mode, this
 * process on a single node. Every method may throw {@link SharedStoreUnavailableException}.
 */
interface SharedStore {

    /** Outcome of offering an entry. */
    enum FillOutcome {
        /** Stored (or, for a store without entries, accepted). */
        STORED,
        /** A version in the stamp is no longer current: a writer has moved on; nothing was stored. */
        STALE,
        /** A version of the stamp is missing from the store (flushed, restarted, expired): reseed and retry. */
        VERSION_MISSING
    }

    /** Result of a fill, with the store's current versions of the scopes that did not match. */
    record Fill(FillOutcome outcome, Map<String, Long> current) {
    }

    /**
     * Raises versions a writer is committing or has committed: each scope ends at the larger of its current value
     * and the given one; never lowers one.
     *
     * @param versions scope key to version
     */
    void raise(Map<String, Long> versions);

    /**
     * Raises versions a writer has already committed, bypassing any circuit breaker: the caller is waiting for this
     * raise to be answered, and a breaker opened by failing reads must not turn a committed write into an error.
     *
     * @param versions scope key to version
     */
    void raiseCommitted(Map<String, Long> versions);

    /**
     * Returns the store's current epoch, creating it if missing. The epoch is a random token that disappears with
     * everything else when the store is flushed or restarted.
     *
     * @return the epoch
     */
    String epoch();

    /**
     * Raises versions that were read from PostgreSQL after {@link #epoch()} returned {@code epoch}, but only if the
     * epoch is still the same: a flush or restart since then could have removed a newer version that this older read
     * must not replace.
     *
     * @param epoch    the epoch obtained before the read
     * @param versions scope key to version, as read
     * @return whether the raise was applied
     */
    boolean raiseRead(String epoch, Map<String, Long> versions);

    /**
     * Reads current versions.
     *
     * @param scopes scope keys
     * @return the versions present; a missing scope is absent from the map
     */
    Map<String, Long> versions(Collection<String> scopes);

    /**
     * Reads an entry if, at this moment, every version of its stamp is current.
     *
     * @param key the entry's key
     * @return the entry, {@code <encoded stamp>\n<serialised value>}, or empty on a miss or a stale entry
     */
    Optional<String> getValid(String key);

    /**
     * Stores an entry only if every version of its stamp is current (atomically with the check).
     *
     * @param key     the entry's key
     * @param stamp   the versions the value was computed from
     * @param payload the serialised value, or {@code null} to only check the stamp
     * @return the outcome
     */
    Fill fill(String key, Stamp stamp, @Nullable String payload);

    /** @return whether this store keeps serialised entries (Redis) or only versions (single node) */
    boolean keepsEntries();
}
