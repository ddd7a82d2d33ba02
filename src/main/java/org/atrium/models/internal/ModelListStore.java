package org.atrium.models.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * Where model lists live for every replica: Redis in cluster mode, this process on a single node. Model lists are
 * provider data, not derived from PostgreSQL: losing them (a Redis flush) costs a fetch, never correctness, so a
 * Redis outage falls back to this replica's own copy.
 */
public interface ModelListStore {

    /**
     * @param key the entry's key
     * @return the entry, if any
     */
    Optional<ModelListEntry> get(String key);

    /**
     * The entry as this replica last read or stored it, when that was less than {@code maxAge} ago; otherwise as
     * {@link #get} reads it now. For a model call's lookup, which may be a little behind a list another replica
     * fetched meanwhile (the list is provider data; who may call what is decided from the effective state).
     *
     * @param key    the entry's key
     * @param maxAge how old this replica's copy may be
     * @return the entry, if any
     */
    Optional<ModelListEntry> recent(String key, Duration maxAge);

    /**
     * Stores an entry (kept for {@code ttl}, so that lists of deleted connections and credentials fade away).
     *
     * @param key   the entry's key
     * @param entry the entry
     * @param ttl   how long to keep it
     */
    void put(String key, ModelListEntry entry, Duration ttl);

    /**
     * Claims the fetch of a key for a while, so that one replica fetches while the others serve the last list.
     *
     * @param key the entry's key
     * @param ttl how long the claim holds (at least one fetch's timeout)
     * @return whether this caller got it
     */
    boolean claim(String key, Duration ttl);

    /**
     * Releases a claim early (after the fetch).
     *
     * @param key the entry's key
     */
    void release(String key);
}
