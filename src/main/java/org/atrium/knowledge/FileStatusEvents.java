package org.atrium.knowledge;

import org.atrium.settings.EffectiveState;
import org.atrium.settings.LiveEventSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Adds {@code file.status} events to the caller's event stream, for files in collections the caller may read at the
 * moment each event is sent (checked against PostgreSQL, with the caller's state as of that moment).
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
        var subscription = events.subscribe(event -> {
            if (event.collectionIds().isEmpty()) {
                return;
            }
            current.get().filter(state -> mayRead(state, event)).ifPresent(state -> sink.send("file.status", event));
        });
        return subscription::close;
    }

    private boolean mayRead(EffectiveState state, FileEvent event) {
        return jdbc.sql("select exists (select 1 from collections c where c.id = any(:ids) and "
                        + CollectionStore.READABLE + ")")
                .param("ids", event.collectionIds().toArray(UUID[]::new))
                .param("admin", state.caller().isAdmin()).param("user", state.caller().userId())
                .param("groups", CollectionService.groupIds(state))
                .query(Boolean.class).single();
    }
}
