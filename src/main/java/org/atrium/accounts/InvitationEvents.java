package org.atrium.accounts;

import org.atrium.cache.Broadcasts;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

import java.util.function.Consumer;

/**
 * New invitations, announced to every replica once they are committed, so that the invited user's open event streams
 * can show them at once. Best effort, like every broadcast: the invitation itself is in PostgreSQL and listed by
 * {@code GET /api/v1/invitations}.
 */
@Component
class InvitationEvents {

    private static final Logger log = LoggerFactory.getLogger(InvitationEvents.class);
    private static final String TOPIC = "invitations";

    private final Broadcasts broadcasts;
    private final JsonMapper json;

    InvitationEvents(Broadcasts broadcasts, JsonMapper json) {
        this.broadcasts = broadcasts;
        this.json = json;
    }

    /** Announces the invitation once the current transaction commits; nothing when it rolls back. */
    void created(GroupInvitation invitation) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                try {
                    broadcasts.publish(TOPIC, json.writeValueAsString(invitation));
                } catch (RuntimeException unavailable) {
                    LogEvents.warn(log, "events.publish.failed").addKeyValue("invitation_id", invitation.id())
                            .addKeyValue("reason", unavailable.getClass().getSimpleName()).log();
                }
            }
        });
    }

    Broadcasts.Subscription subscribe(Consumer<GroupInvitation> receiver) {
        return broadcasts.subscribe(TOPIC, message -> receiver.accept(json.readValue(message, GroupInvitation.class)));
    }
}
