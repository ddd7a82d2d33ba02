package org.atrium.knowledge;

import org.atrium.settings.EffectiveState;
import org.atrium.settings.LiveEventSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Adds {@code file.status} events to the caller's event stream, for files in collections the caller may read at the
 * moment each event is sent (checked against PostgreSQL, with the caller's state as of that moment); each event names
 * only those of the file's collections. Adds {@code collection.settled} events to the same audience: callers who may
 * read the collection when the event is sent.
 */
@Component
class FileStatusEvents implements LiveEventSource {

    private final KnowledgeEvents events;
    private final JdbcClient jdbc;

    FileStatusEvents(KnowledgeEvents events, JdbcClient jdbc) {
        this.events = events;
        this.jdbc = jdbc;
    }

    @Override
    public Subscription open(Supplier<Optional<EffectiveState>> current, Sink sink) {
        var files = events.subscribe(event -> {
            if (event.collectionIds().isEmpty()) {
                return;
            }
            current.get().map(state -> readable(state, event.collectionIds())).filter(ids -> !ids.isEmpty())
                    .ifPresent(ids -> sink.send("file.status", new FileEvent(event.fileId(), ids, event.status(),
                            event.chunksDone(), event.chunksTotal(), event.failureCode(), event.failureReason())));
        });
        var collections = events.subscribeCollections(event -> current.get()
                .filter(state -> !readable(state, List.of(event.collectionId())).isEmpty())
                .ifPresent(state -> sink.send("collection.settled", event)));
        return () -> {
            files.close();
            collections.close();
        };
    }

    /** Those of the collections this caller may read now: only those are named to them. */
    private List<UUID> readable(EffectiveState state, List<UUID> collectionIds) {
        return jdbc.sql("select c.id from collections c where c.id = any(:ids) and " + CollectionStore.READABLE)
                .param("ids", collectionIds.toArray(UUID[]::new))
                .param("admin", state.caller().isAdmin()).param("user", state.caller().userId())
                .param("groups", CollectionService.groupIds(state))
                .query(UUID.class).list();
    }
}
