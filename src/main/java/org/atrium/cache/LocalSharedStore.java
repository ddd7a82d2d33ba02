package org.atrium.cache;

import org.jspecify.annotations.Nullable;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single-node shared store: versions in this process's memory. It keeps no entries (the in-memory layer of
 * {@link VersionedCache} is the cache). Versions start empty after a restart and are reseeded from PostgreSQL.
 */
final class LocalSharedStore implements SharedStore {

    private final ConcurrentHashMap<String, Long> versions = new ConcurrentHashMap<>();

    @Override
    public void raise(Map<String, Long> raised) {
        raised.forEach((scope, version) -> versions.merge(scope, version, Math::max));
    }

    @Override
    public void raiseCommitted(Map<String, Long> committed) {
        raise(committed);
    }

    /** Memory is lost only with the process, and with it every entry: one epoch for the process's life. */
    @Override
    public String epoch() {
        return "process";
    }

    @Override
    public boolean raiseRead(String epoch, Map<String, Long> read) {
        raise(read);
        return true;
    }

    @Override
    public Map<String, Long> versions(Collection<String> scopes) {
        Map<String, Long> found = new HashMap<>();
        for (String scope : scopes) {
            Long version = versions.get(scope);
            if (version != null) {
                found.put(scope, version);
            }
        }
        return found;
    }

    @Override
    public Optional<String> getValid(String key) {
        return Optional.empty();
    }

    @Override
    public Fill fill(String key, Stamp stamp, @Nullable String payload) {
        Map<String, Long> current = versions(stamp.versions().keySet());
        if (current.size() < stamp.versions().size()) {
            return new Fill(FillOutcome.VERSION_MISSING, current);
        }
        return current.equals(stamp.versions()) ? new Fill(FillOutcome.STORED, Map.of())
                : new Fill(FillOutcome.STALE, current);
    }

    @Override
    public boolean keepsEntries() {
        return false;
    }
}
