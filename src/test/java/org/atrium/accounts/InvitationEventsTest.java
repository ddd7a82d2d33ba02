package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.EventStreamClient;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An invitation shows up live on the invited user's event streams, and on nobody else's. */
class InvitationEventsTest extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void invitedUserSeesTheirInvitationLiveAndOthersDoNot() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account invitee = users.user();
        TestUsers.Account bystander = users.user();
        UUID group = users.group(admin, "live-invite");
        UUID otherGroup = users.group(admin, "live-invite-other");
        users.member(admin, group, lead, "admin");

        try (EventStreamClient inviteeStream = EventStreamClient.open(api.baseUrl(), invitee.token());
             EventStreamClient bystanderStream = EventStreamClient.open(api.baseUrl(), bystander.token())) {
            inviteeStream.awaitEvent("ready", 0, WAIT);
            bystanderStream.awaitEvent("ready", 0, WAIT);

            String forInvitee = invite(lead, group, invitee);
            String forBystander = invite(admin, otherGroup, bystander);

            await().atMost(Duration.ofSeconds(20)).until(() -> inviteeStream.data("group.invitation").size() == 1
                    && bystanderStream.data("group.invitation").size() == 1);
            JsonNode seen = inviteeStream.data("group.invitation").getFirst();
            assertThat(seen.path("id").asString()).isEqualTo(forInvitee);
            assertThat(seen.path("groupId").asString()).isEqualTo(group.toString());
            assertThat(seen.path("role").asString()).isEqualTo("member");
            // Events of one topic arrive in order: had the bystander been sent the invitee's, it would be here.
            assertThat(bystanderStream.data("group.invitation")).extracting(node -> node.path("id").asString())
                    .containsExactly(forBystander);
            assertThat(inviteeStream.hasEnded()).as("an invitation changes nothing, so the stream goes on").isFalse();
        }
    }

    private String invite(TestUsers.Account inviter, UUID group, TestUsers.Account invitee) {
        Api.Response created = api.post("/api/v1/groups/" + group + "/invitations", Map.of("userId", invitee.id()),
                inviter.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().path("id").asString();
    }
}
