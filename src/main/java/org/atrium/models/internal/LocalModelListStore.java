package org.atrium.models.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Model lists in this process: the store of a single node, and the fallback of the Redis store. */
public final class LocalModelListStore implements ModelListStore {

    private record Held(ModelListEntry entry, Duration ttl) {
    }

    private final Cache<String, Held> entries = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfter(Expiry.<String, Held>writing((key, held) -> held.ttl())).build();
    private final ConcurrentHashMap<String, Instant> claims = new ConcurrentHashMap<>();

    @Override
    public Optional<ModelListEntry> get(String key) {
        Held held = entries.getIfPresent(key);
        return held == null ? Optional.empty() : Optional.of(held.entry());
    }

    /** This process holds the entries themselves: its copy is always the current one. */
    @Override
    public Optional<ModelListEntry> recent(String key, Duration maxAge) {
        return get(key);
    }

    @Override
    public void put(String key, ModelListEntry entry, Duration ttl) {
        entries.put(key, new Held(entry, ttl));
    }

    @Override
    public boolean claim(String key, Duration ttl) {
        Instant now = Instant.now();
        Instant until = now.plus(ttl);
        boolean[] got = {false};
        claims.compute(key, (k, current) -> {
            if (current == null || current.isBefore(now)) {
                got[0] = true;
                return until;
            }
            return current;
        });
        return got[0];
    }

    @Override
    public void release(String key) {
        claims.remove(key);
    }
}
