package org.atrium.knowledge;

import org.atrium.testing.Documents;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Ingestion progress as live {@code file.status} server-sent events, only to those who may read the file. */
class ProgressEventsTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @AfterEach
    void resetEmbeddings() {
        EMBEDDINGS.delayEachRequest(Duration.ZERO);
    }

    @Test
    void readersSeeEmbeddingProgressUntilReadyAndOthersSeeNothing() {
        Knowledge knowledge = new Knowledge(api);
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "progress");
        users.member(admin, group, member, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-progress-" + UUID.randomUUID());
        UUID collection = knowledge.groupCollection(admin, group, "Progress");
        // More chunks than one embedding request carries (64 by default), so progress moves in several steps.
        String text = "Tundra notes. " + "Granite quarries are loud and dusty in the summer. ".repeat(3000);

        try (EventStream memberStream = EventStream.open(api.baseUrl(), member.token());
             EventStream outsiderStream = EventStream.open(api.baseUrl(), outsider.token())) {
            memberStream.awaitNamed("ready");
            outsiderStream.awaitNamed("ready");
            // Slows every embedding request a little, so that each step is its own event; undone after the test.
            EMBEDDINGS.delayEachRequest(Duration.ofMillis(300));

            UUID fileId = knowledge.upload(admin, collection, "long.txt", Documents.text(text));

            await().atMost(Duration.ofSeconds(60)).until(() -> memberStream.statuses(fileId).stream()
                    .anyMatch(event -> Knowledge.SETTLED.contains(event.path("status").asString())));
            EMBEDDINGS.delayEachRequest(Duration.ZERO);
            List<JsonNode> events = memberStream.statuses(fileId);
            JsonNode last = events.getLast();
            assertThat(last.path("status").asString()).as(events.toString()).isEqualTo("ready");
            int total = last.path("chunksTotal").asInt();
            assertThat(total).isGreaterThan(64);
            assertThat(last.path("chunksDone").asInt()).isEqualTo(total);
            assertThat(last.path("collectionIds").toString()).contains(collection.toString());
            List<Integer> embedding = events.stream().filter(e -> e.path("status").asString().equals("embedding"))
                    .map(e -> e.path("chunksDone").asInt()).toList();
            assertThat(embedding).as(events.toString()).hasSizeGreaterThanOrEqualTo(2).isSorted();
            assertThat(embedding.getLast()).isGreaterThan(embedding.getFirst());
            assertThat(embedding).allMatch(done -> done <= total);
            assertThat(events.stream().filter(e -> e.path("status").asString().equals("embedding")))
                    .allMatch(e -> e.path("chunksTotal").asInt() == total);

            // The outsider's stream is alive (it got its own "ready"), but carries nothing about this file.
            sleep(1000);
            assertThat(outsiderStream.hasEnded()).isFalse();
            assertThat(outsiderStream.statuses(fileId)).isEmpty();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** A server-sent-events client that keeps every event's name and parsed data. */
    private static final class EventStream implements AutoCloseable {

        private record Event(String name, String data) {
        }

        private final Stream<String> lines;
        private final List<Event> events = new CopyOnWriteArrayList<>();
        private volatile boolean ended;

        private EventStream(Stream<String> lines) {
            this.lines = lines;
            Thread.ofVirtual().name("sse-progress").start(this::read);
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
                        if (!data.isEmpty()) {
                            data.append('\n');
                        }
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

        /** @return the {@code file.status} events about the file, in arrival order */
        List<JsonNode> statuses(UUID fileId) {
            return events.stream().filter(event -> event.name().equals("file.status"))
                    .map(event -> JSON.readTree(event.data()))
                    .filter(data -> data.path("fileId").asString().equals(fileId.toString())).toList();
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
