package org.atrium.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Values cached under stamps, served only while the stamp is current.
 *
 * <p>Two layers: each replica's memory (objects, validated on every read by fetching the stamp's current versions
 * in one round trip) and, in cluster mode, Redis (serialised entries, validated inside Redis by a script). Readers
 * that miss compute the value from PostgreSQL together with its {@link #stampOf stamp}, in one snapshot, and
 * {@link #offer} it; the offer is refused when a writer has raised a version since that snapshot. When Redis is
 * unreachable, in-memory entries are validated against PostgreSQL's versions instead, and nothing is lost but speed.
 */
public final class VersionedCache {

    private static final Logger log = LoggerFactory.getLogger(VersionedCache.class);

    private record Local(Object value, Stamp stamp) {
    }

    private final SharedStore shared;
    private final VersionStore versions;
    private final ProtocolProbe probe;
    private final JsonMapper json;
    private final TransactionTemplate readVersions;
    private final TransactionTemplate repairVersions;
    private final Cache<String, Local> local;
    private final Counter localHits;
    private final Counter sharedHits;
    private final Counter misses;
    private final Counter fallbacks;
    private final Counter refused;

    VersionedCache(SharedStore shared, VersionStore versions, ProtocolProbe probe, JsonMapper json,
                   PlatformTransactionManager transactions, CacheProperties properties, MeterRegistry meters) {
        this.shared = shared;
        this.versions = versions;
        this.probe = probe;
        this.json = json;
        this.readVersions = new TransactionTemplate(transactions);
        this.readVersions.setReadOnly(true);
        this.repairVersions = new TransactionTemplate(transactions);
        this.repairVersions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        int localEntries = shared.keepsEntries() ? properties.localEntries() : Math.max(1, properties.localEntries());
        this.local = Caffeine.newBuilder().maximumSize(localEntries).expireAfterAccess(properties.entryTtl()).build();
        this.localHits = lookups(meters, "local_hit");
        this.sharedHits = lookups(meters, "shared_hit");
        this.misses = lookups(meters, "miss");
        this.fallbacks = lookups(meters, "database_validated");
        this.refused = Counter.builder("atrium.cache.offers").tag("result", "refused")
                .description("Values not cached because a writer moved on since they were read").register(meters);
    }

    private static Counter lookups(MeterRegistry meters, String result) {
        return Counter.builder("atrium.cache.lookups").tag("result", result)
                .description("Effective-state cache lookups").register(meters);
    }

    /**
     * Reads a value whose stamp is still current.
     *
     * @param key  the entry's key
     * @param type the value's type
     * @param <T>  the value's type
     * @return the value, or empty when absent or outdated
     */
    public <T> Optional<T> get(String key, Class<T> type) {
        Local cached = local.getIfPresent(key);
        if (cached != null && type.isInstance(cached.value())) {
            Optional<Boolean> current = isCurrent(cached.stamp());
            if (current.orElse(false)) {
                localHits.increment();
                return Optional.of(type.cast(cached.value()));
            }
            local.invalidate(key);
            if (current.isEmpty()) {
                misses.increment();
                return Optional.empty();
            }
        }
        if (shared.keepsEntries()) {
            try {
                Optional<String> entry = shared.getValid(key);
                if (entry.isPresent()) {
                    int newline = entry.get().indexOf('\n');
                    Stamp stamp = decode(entry.get().substring(0, newline));
                    T value = json.readValue(entry.get().substring(newline + 1), type);
                    local.put(key, new Local(value, stamp));
                    sharedHits.increment();
                    return Optional.of(value);
                }
            } catch (SharedStoreUnavailableException unavailable) {
                // Read from PostgreSQL instead: slower, still correct.
            }
        }
        misses.increment();
        return Optional.empty();
    }

    /**
     * Reads a value without a round trip when its stamp agrees with one already validated during this request (the
     * caller's effective state's, whose every scope {@link #get} checked when the request began): a value computed
     * from the same versions of the same scopes is exactly as current. Where any scope of the value's stamp is
     * missing from the validated one, or has another version, this is {@link #get(String, Class)}.
     *
     * @param key       the entry's key
     * @param type      the value's type
     * @param validated a stamp found current during this request
     * @param <T>       the value's type
     * @return the value, or empty when absent or outdated
     */
    public <T> Optional<T> get(String key, Class<T> type, Stamp validated) {
        Local cached = local.getIfPresent(key);
        if (cached != null && type.isInstance(cached.value()) && validated.agreesWith(cached.stamp())) {
            localHits.increment();
            return Optional.of(type.cast(cached.value()));
        }
        return get(key, type);
    }

    /**
     * Reads the current versions of scopes from PostgreSQL, in the caller's transaction. Call it in the same
     * snapshot (a repeatable-read transaction) as the reads the value is computed from.
     *
     * @param scopes what the value depends on
     * @return the stamp
     */
    public Stamp stampOf(Collection<Scope> scopes) {
        return Stamp.of(versions.read(scopes.stream().map(Scope::key).toList()));
    }

    /**
     * Offers a value read from PostgreSQL. It is cached only if no writer has raised a version of its stamp since;
     * otherwise it is dropped (the caller still uses it: it was current when read).
     *
     * @param key   the entry's key
     * @param value the value
     * @param stamp the versions read with it
     */
    public void offer(String key, Object value, Stamp stamp) {
        probe.reached(ProtocolProbe.Point.READER_AFTER_DATABASE_READ, key);
        String payload = shared.keepsEntries() ? json.writeValueAsString(value) : null;
        try {
            SharedStore.Fill fill = shared.fill(key, stamp, payload);
            if (fill.outcome() == SharedStore.FillOutcome.VERSION_MISSING) {
                reseed(stamp);
                fill = shared.fill(key, stamp, payload);
            }
            switch (fill.outcome()) {
                case STORED -> local.put(key, new Local(value, stamp));
                case STALE -> {
                    refused.increment();
                    repairAhead(stamp, fill.current());
                }
                case VERSION_MISSING -> refused.increment();
            }
        } catch (SharedStoreUnavailableException unavailable) {
            // Kept in memory only; every read validates it against the versions of the moment.
            local.put(key, new Local(value, stamp));
        }
    }

    /** Drops every in-memory entry of this replica (tests and operators use it to force cold reads). */
    public void clearLocal() {
        local.invalidateAll();
    }

    /**
     * @return whether every version of the stamp is current; empty when neither the shared store nor PostgreSQL
     * could answer
     */
    private Optional<Boolean> isCurrent(Stamp stamp) {
        try {
            Map<String, Long> current = shared.versions(stamp.versions().keySet());
            return Optional.of(current.equals(stamp.versions()));
        } catch (SharedStoreUnavailableException unavailable) {
            try {
                Map<String, Long> authoritative = readVersions.execute(
                        status -> versions.read(stamp.versions().keySet()));
                fallbacks.increment();
                return Optional.of(stamp.versions().equals(authoritative));
            } catch (RuntimeException databaseDown) {
                return Optional.empty();
            }
        }
    }

    /**
     * A version was missing from the shared store (restart, flush, expiry). Seed it from a fresh read of
     * PostgreSQL, never from the reader's own, possibly older, snapshot; and only if the store was not flushed
     * again while the read ran (the epoch fence), since that flush may have removed a newer version.
     */
    private void reseed(Stamp stamp) {
        String epoch = shared.epoch();
        Map<String, Long> fresh = readVersions.execute(status -> versions.read(stamp.versions().keySet()));
        boolean raised = shared.raiseRead(epoch, fresh);
        LogEvents.debug(log, "cache.versions.reseeded").addKeyValue("scopes", fresh.size())
                .addKeyValue("applied", raised).log();
    }

    /** A shared version ahead of the stamp may be left by a writer that rolled back or died: repair it. */
    private void repairAhead(Stamp stamp, Map<String, Long> current) {
        current.forEach((scope, sharedVersion) -> {
            Long stamped = stamp.versions().get(scope);
            if (stamped != null && sharedVersion > stamped) {
                try {
                    Boolean repaired = repairVersions.execute(status -> versions.repair(scope, sharedVersion));
                    if (Boolean.TRUE.equals(repaired)) {
                        LogEvents.info(log, "cache.version.repaired").addKeyValue("scope", scope)
                                .addKeyValue("version", sharedVersion).log();
                    }
                } catch (RuntimeException busy) {
                    // A writer holds the row: it will settle the version itself.
                }
            }
        });
    }

    private static Stamp decode(String encoded) {
        TreeMap<String, Long> versions = new TreeMap<>();
        for (String pair : encoded.split(";")) {
            int equals = pair.lastIndexOf('=');
            versions.put(pair.substring(0, equals), Long.parseLong(pair.substring(equals + 1)));
        }
        return new Stamp(versions);
    }
}
