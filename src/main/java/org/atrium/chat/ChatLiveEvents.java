package org.atrium.chat;

import org.atrium.cache.Broadcasts;
import org.atrium.platform.LogEvents;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.LiveEventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Adds {@code chat.titled} events to the chat owner's event streams, on every replica: a generated title appears in
 * an open sidebar without polling. Best effort, like every broadcast: the title itself is in PostgreSQL and in every
 * listing.
 */
@Component
class ChatLiveEvents implements LiveEventSource {

    private static final Logger log = LoggerFactory.getLogger(ChatLiveEvents.class);
    private static final String TOPIC = "chat.titles";

    /**
     * A chat got a generated title.
     *
     * @param chatId  the chat
     * @param ownerId its owner, who alone is told
     * @param title   the title
     */
    record Titled(UUID chatId, UUID ownerId, String title) {
    }

    /** What the owner's stream receives. */
    private record TitledEvent(UUID chatId, String title) {
    }

    private final Broadcasts broadcasts;
    private final JsonMapper json;

    ChatLiveEvents(Broadcasts broadcasts, JsonMapper json) {
        this.broadcasts = broadcasts;
        this.json = json;
    }

    /** Tells the owner's streams on every replica; a failure to publish is logged, the title stays saved. */
    void titled(Titled titled) {
        try {
            broadcasts.publish(TOPIC, json.writeValueAsString(titled));
        } catch (RuntimeException unavailable) {
            LogEvents.warn(log, "events.publish.failed").addKeyValue("chat_id", titled.chatId())
                    .addKeyValue("reason", unavailable.getClass().getSimpleName()).log();
        }
    }

    @Override
    public Subscription open(Supplier<Optional<EffectiveState>> current, Sink sink) {
        Optional<UUID> owner = current.get().map(state -> state.caller().userId());
        if (owner.isEmpty()) {
            return () -> { };
        }
        Broadcasts.Subscription subscription = broadcasts.subscribe(TOPIC, message -> {
            Titled titled = json.readValue(message, Titled.class);
            if (titled.ownerId().equals(owner.get()) && current.get().isPresent()) {
                sink.send("chat.titled", new TitledEvent(titled.chatId(), titled.title()));
            }
        });
        return subscription::close;
    }
}
