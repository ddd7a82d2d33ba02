package org.atrium.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;

/**
 * Attempt counts in this process: the single-node store, and the fallback of {@link RedisThrottleStore} while Redis
 * is unreachable. Bounded: a count is forgotten {@code resetAfter} after its last attempt, a known pair
 * {@code knownAddressFor} after its last success, and at most {@value #MAX_KEYS} keys of each are kept, so that
 * attempts on random e-mail addresses cannot fill the heap.
 */
final class LocalThrottleStore implements ThrottleStore {

    static final int MAX_KEYS = 100_000;

    /** A key's attempts and until when (ticker nanos) it is locked. */
    private record Count(int attempts, long lockedUntil) {
    }

    private final SignInThrottleProperties properties;
    private final Ticker ticker;
    private final Cache<String, Count> counts;
    private final Cache<String, Boolean> known;

    LocalThrottleStore(SignInThrottleProperties properties, Ticker ticker) {
        this.properties = properties;
        this.ticker = ticker;
        this.counts = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(properties.resetAfter())
                .maximumSize(MAX_KEYS).build();
        this.known = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(properties.knownAddressFor())
                .maximumSize(MAX_KEYS).build();
    }

    @Override
    public synchronized Duration acquire(String account, String address) {
        long now = ticker.read();
        String pair = ThrottleStore.pair(account, address);
        long wait = Math.max(remaining(pair, now), remaining(address, now));
        if (known.getIfPresent(pair) == null) {
            wait = Math.max(wait, remaining(account, now));
        }
        if (wait > 0) {
            return Duration.ofNanos(wait);
        }
        count(pair, properties.accountFreeAttempts(), now);
        count(account, properties.accountWideFreeAttempts(), now);
        count(address, properties.addressFreeAttempts(), now);
        return Duration.ZERO;
    }

    @Override
    public synchronized void succeeded(String account, String address) {
        String pair = ThrottleStore.pair(account, address);
        counts.invalidate(pair);
        giveBack(account, properties.accountWideFreeAttempts());
        giveBack(address, properties.addressFreeAttempts());
        known.put(pair, Boolean.TRUE);
    }

    private void giveBack(String key, int free) {
        Count current = counts.getIfPresent(key);
        if (current != null && current.attempts() > 0) {
            int attempts = current.attempts() - 1;
            // Below the free attempts again: the lock was set by this very attempt, which succeeded.
            counts.put(key, new Count(attempts, attempts < free ? 0 : current.lockedUntil()));
        }
    }

    private long remaining(String key, long now) {
        Count current = counts.getIfPresent(key);
        return current == null ? 0 : Math.max(0, current.lockedUntil() - now);
    }

    private void count(String key, int free, long now) {
        Count current = counts.getIfPresent(key);
        int attempts = (current == null ? 0 : current.attempts()) + 1;
        long lockedUntil = current == null ? 0 : current.lockedUntil();
        if (attempts >= free) {
            lockedUntil = now + SignInThrottle.backoff(properties, attempts - free).toNanos();
        }
        counts.put(key, new Count(attempts, lockedUntil));
    }
}
