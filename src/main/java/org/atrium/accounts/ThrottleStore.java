package org.atrium.accounts;

import java.time.Duration;

/**
 * Where sign-in attempt counts live: Redis in cluster mode, so that every replica sees the same counts; this process
 * on a single node. Keys are opaque (a digest of the e-mail address, the client address): no e-mail is ever stored.
 *
 * <p>Each attempt counts against three keys: the account from this address (the pair), the account from every address
 * (account-wide), and the address whatever the account. The pair and the address lock after their free attempts; the
 * account-wide count locks only addresses that have not yet signed in to the account (see
 * {@link SignInThrottleProperties}), so that nobody can lock an owner out from addresses the owner does not use.
 */
interface ThrottleStore {

    /**
     * Records an attempt unless one of its keys is locked; an attempt that reaches a key's free attempts locks the key
     * for the next ones (this attempt itself goes ahead).
     *
     * @param account the account key
     * @param address the address key
     * @return how long the caller must wait, or {@link Duration#ZERO} when the attempt was recorded and may go ahead
     */
    Duration acquire(String account, String address);

    /**
     * Clears the pair's count and lock, takes the attempt back from the account-wide and the address counts (and
     * their locks, when that leaves them below their free attempts: this attempt set them), and remembers the pair
     * as known.
     *
     * @param account the account key
     * @param address the address key
     */
    void succeeded(String account, String address);

    /**
     * @param account the account key
     * @param address the address key
     * @return the key of the account from this address
     */
    static String pair(String account, String address) {
        return account + ":" + address;
    }
}
