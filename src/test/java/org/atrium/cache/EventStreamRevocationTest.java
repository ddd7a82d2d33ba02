package org.atrium.cache;

import org.atrium.testing.Api;
import org.atrium.testing.EventStreamClient;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Race (g) of docs/consistency.md: an open event stream is a long-lived cache of its caller's authorisation. Streams
 * opened before a role change, a key revocation, a sign-out or a removal from a group end soon after the change is
 * acknowledged, without a {@code state.changed} event. This context checks every 100 ms with a 200 ms heartbeat, so
 * a stream that kept its stale authorisation would keep sending heartbeats.
 *
 * <p>What "no further events" means here: the stream's check that was already under way when the write was
 * acknowledged may still send its heartbeat, so at most one event follows the acknowledgement, and it ends within
 * two seconds.
 */
class EventStreamRevocationTest extends ProtocolRaceTestBase {

    private static final Duration END = Duration.ofSeconds(2);

    @Test
    void roleChangeEndsAStreamOpenedBeforeIt() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        try (EventStreamClient stream = openAndWatch(user.token())) {
            changeRole(admin, user, "admin");
            assertEndsWithNothingMore(stream);
        }
    }

    @Test
    void apiKeyRevocationEndsAStreamOpenedWithThatKey() {
        TestUsers.Account user = users.user();
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "stream"), user.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String key = created.json().path("key").asString();
        String keyId = created.json().path("apiKey").path("id").asString();
        try (EventStreamClient stream = openAndWatch(key)) {
            assertThat(api.delete("/api/v1/api-keys/" + keyId, user.token()).status()).isEqualTo(204);
            assertEndsWithNothingMore(stream);
        }
        assertThat(api.get("/api/v1/auth/me", key).status()).isEqualTo(401);
    }

    @Test
    void signOutEndsAStreamOpenedWithThatSession() {
        TestUsers.Account user = users.user();
        try (EventStreamClient stream = openAndWatch(user.token())) {
            assertThat(api.post("/api/v1/auth/signout", null, user.token()).status()).isEqualTo(204);
            assertEndsWithNothingMore(stream);
        }
        assertThat(api.get("/api/v1/auth/me", user.token()).status()).isEqualTo(401);
    }

    @Test
    void removalFromAGroupEndsAStreamOpenedBeforeIt() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "stream");
        users.member(admin, group, user, "member");
        try (EventStreamClient stream = openAndWatch(user.token())) {
            assertThat(api.delete("/api/v1/groups/" + group + "/members/" + user.id(), admin.token()).status())
                    .isEqualTo(204);
            assertEndsWithNothingMore(stream);
        }
    }

    /** The control: a change that leaves authorisation alone is announced and the stream goes on. */
    @Test
    void settingChangeIsAnnouncedAndTheStreamGoesOn() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "stream");
        users.member(admin, group, user, "member");
        try (EventStreamClient stream = openAndWatch(user.token())) {
            Api.Response changed = api.put("/api/v1/groups/" + group + "/settings",
                    Map.of("settings", Map.of("systemPrompt", "now this")), admin.token());
            assertThat(changed.status()).isEqualTo(200);
            stream.awaitEvent("state.changed", 0, END);
            int announced = stream.events().size();
            stream.awaitEvent("heartbeat", announced, END);
            assertThat(stream.hasEnded()).isFalse();

            // End it from the server side, so that it does not go on checking into the next test.
            assertThat(api.post("/api/v1/auth/signout", null, user.token()).status()).isEqualTo(204);
            assertEndsWithNothingMore(stream);
        }
    }

    /** Opens a stream and waits until it is ready and has sent a heartbeat (so it is checking). */
    private EventStreamClient openAndWatch(String secret) {
        EventStreamClient stream = EventStreamClient.open(api.baseUrl(), secret);
        stream.awaitEvent("ready", 0, WAIT);
        stream.awaitEvent("heartbeat", 1, WAIT);
        assertThat(stream.events().getFirst().name()).isEqualTo("ready");
        return stream;
    }

    /** Call right after the change was acknowledged. */
    private static void assertEndsWithNothingMore(EventStreamClient stream) {
        int atAck = stream.events().size();
        assertThat(stream.awaitEnd(END)).as("the stream ended; events: %s", stream.events()).isTrue();
        List<EventStreamClient.Event> after = stream.events().subList(atAck, stream.events().size());
        assertThat(after).as("events after the acknowledgement").hasSizeLessThanOrEqualTo(1)
                .noneMatch(event -> event.name().equals("state.changed"));
    }
}
