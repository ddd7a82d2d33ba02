package org.atrium.accounts;

import java.time.Duration;

/**
 * Where sign-in attempt counts live: Redis in cluster mode, so that every replica sees the same counts; this process
 * on a single node. Keys are opaque (a digest of the e-mail address, the client address): no e-mail is ever stored.
 */
interface ThrottleStore {

    /**
     * Records an attempt unless one of the keys is locked; an attempt that reaches a key's free attempts locks the key
     * for the next ones (this attempt itself goes ahead).
     *
     * @param account the account key
     * @param address the address key
     * @return how long the caller must wait, or {@link Duration#ZERO} when the attempt was recorded and may go ahead
     */
    Duration acquire(String account, String address);

    /**
     * Clears the account's count and lock and takes the attempt back from the address's count (and the address's
     * lock, when that leaves the address below its free attempts: this attempt set it).
     *
     * @param account the account key
     * @param address the address key
     */
    void succeeded(String account, String address);
}
