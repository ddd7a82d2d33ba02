package org.atrium.settings;

import org.atrium.accounts.GroupInvitationService;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Adds {@code group.invitation} events to the caller's event stream: one when someone invites the caller to a group,
 * so that they can accept or decline it without polling. Only the invited user's streams receive it.
 */
@Component
class InvitationLiveEvents implements LiveEventSource {

    private final GroupInvitationService invitations;

    InvitationLiveEvents(GroupInvitationService invitations) {
        this.invitations = invitations;
    }

    @Override
    public Subscription open(Supplier<Optional<EffectiveState>> current, Sink sink) {
        // A stream belongs to one account for its whole life: only its own invitations cost a re-check.
        Optional<UUID> owner = current.get().map(state -> state.caller().userId());
        if (owner.isEmpty()) {
            return () -> { };
        }
        var subscription = invitations.onInvitation(invitation -> {
            if (invitation.userId().equals(owner.get()) && current.get().isPresent()) {
                sink.send("group.invitation", invitation);
            }
        });
        return subscription::close;
    }
}
