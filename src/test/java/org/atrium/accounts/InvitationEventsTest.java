package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An invitation shows up live on the invited user's event streams, and on nobody else's. */
class InvitationEventsTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void invitedUserSeesTheirInvitationLiveAndOthersDoNot() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account invitee = users.user();
        TestUsers.Account bystander = users.user();
        UUID group = users.group(admin, "live-invite");
        UUID otherGroup = users.group(admin, "live-invite-other");
        users.member(admin, group, lead, "admin");

        try (EventStream inviteeStream = EventStream.open(api.baseUrl(), invitee.token());
             EventStream bystanderStream = EventStream.open(api.baseUrl(), bystander.token())) {
            inviteeStream.awaitNamed("ready");
            bystanderStream.awaitNamed("ready");

            String forInvitee = invite(lead, group, invitee);
            String forBystander = invite(admin, otherGroup, bystander);

            await().atMost(Duration.ofSeconds(20)).until(() -> inviteeStream.invitations().size() == 1
                    && bystanderStream.invitations().size() == 1);
            JsonNode seen = inviteeStream.invitations().getFirst();
            assertThat(seen.path("id").asString()).isEqualTo(forInvitee);
            assertThat(seen.path("groupId").asString()).isEqualTo(group.toString());
            assertThat(seen.path("role").asString()).isEqualTo("member");
            // Events of one topic arrive in order: had the bystander been sent the invitee's, it would be here.
            assertThat(bystanderStream.invitations()).extracting(node -> node.path("id").asString())
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

    /** A server-sent-events client that keeps every event's name and data. */
    private static final class EventStream implements AutoCloseable {

        private record Event(String name, String data) {
        }

        private final Stream<String> lines;
        private final List<Event> events = new CopyOnWriteArrayList<>();
        private volatile boolean ended;

        private EventStream(Stream<String> lines) {
            this.lines = lines;
            Thread.ofVirtual().name("sse-invitations").start(this::read);
        }

        static EventStream open(String baseUrl, String token) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/events"))
                    .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
            try {
                HttpResponse<Stream<String>> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofLines());
                assertThat(response.statusCode()).isEqualTo(200);
                return new EventStream(response.body());
            } catch (IOException failure) {
                throw new UncheckedIOException(failure);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(interrupted);
            }
        }

        private void read() {
            String name = null;
            StringBuilder data = new StringBuilder();
            try {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (name != null) {
                            events.add(new Event(name, data.toString()));
                        }
                        name = null;
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring("event:".length()).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring("data:".length()).strip());
                    }
                }
            } catch (RuntimeException closed) {
                // the test closed the stream
            } finally {
                ended = true;
            }
        }

        void awaitNamed(String name) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> events.stream().anyMatch(event -> event.name().equals(name)));
        }

        List<JsonNode> invitations() {
            return events.stream().filter(event -> event.name().equals("group.invitation"))
                    .map(event -> JSON.readTree(event.data())).toList();
        }

        boolean hasEnded() {
            return ended;
        }

        @Override
        public void close() {
            lines.close();
        }
    }
}
