package org.atrium.chat.internal;

import org.atrium.chat.ModelsInUse;
import org.atrium.chat.ModelsInUseView;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models in use on a single node: the entries of this process, which die with it, so nothing needs to expire. Also
 * the record of this replica's open entries that {@link RedisModelsInUse} refreshes and shows when Redis cannot be
 * read.
 */
final class LocalModelsInUse implements ModelsInUse {

    private final String replica;
    private final Clock clock;
    /** Keyed by a token per handle, so two handles for one message (a retry) are two entries. */
    private final Map<Object, ModelsInUseEntry> open = new ConcurrentHashMap<>();

    LocalModelsInUse(String replica, Clock clock) {
        this.replica = replica;
        this.clock = clock;
    }

    @Override
    public Handle begin(String model, String connection, UUID messageId) {
        Object token = new Object();
        entry(token, model, connection, messageId);
        return () -> remove(token);
    }

    /** Adds this replica's entry for a handle's token. */
    ModelsInUseEntry entry(Object token, String model, String connection, UUID messageId) {
        ModelsInUseEntry entry = new ModelsInUseEntry(replica, connection, messageId, model);
        open.put(token, entry);
        return entry;
    }

    void remove(Object token) {
        open.remove(token);
    }

    List<ModelsInUseEntry> entries() {
        return List.copyOf(open.values());
    }

    @Override
    public ModelsInUseView view() {
        return ModelsInUseEntry.view(entries(), false, clock.instant());
    }
}
