package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.Documents;
import org.atrium.testing.EventStreamClient;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Ingestion progress as live {@code file.status} server-sent events, only to those who may read the file. */
class ProgressEventsTest extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

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

        try (EventStreamClient memberStream = EventStreamClient.open(api.baseUrl(), member.token());
             EventStreamClient outsiderStream = EventStreamClient.open(api.baseUrl(), outsider.token())) {
            memberStream.awaitEvent("ready", 0, WAIT);
            outsiderStream.awaitEvent("ready", 0, WAIT);
            // Slows every embedding request a little, so that each step is its own event; undone after the test.
            EMBEDDINGS.delayEachRequest(Duration.ofMillis(300));

            UUID fileId = knowledge.upload(admin, collection, "long.txt", Documents.text(text));

            await().atMost(Duration.ofSeconds(60)).until(() -> statuses(memberStream, fileId).stream()
                    .anyMatch(event -> Knowledge.SETTLED.contains(event.path("status").asString())));
            EMBEDDINGS.delayEachRequest(Duration.ZERO);
            List<JsonNode> events = statuses(memberStream, fileId);
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
            assertThat(statuses(outsiderStream, fileId)).isEmpty();
        }
    }

    @Test
    void collectionSettledReachesReadersOnceEveryQueuedFileSettledWithTheCounts() {
        Knowledge knowledge = new Knowledge(api);
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "settled");
        users.member(admin, group, member, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-settled-" + UUID.randomUUID());
        UUID collection = knowledge.groupCollection(admin, group, "Settled");

        try (EventStreamClient memberStream = EventStreamClient.open(api.baseUrl(), member.token());
             EventStreamClient outsiderStream = EventStreamClient.open(api.baseUrl(), outsider.token())) {
            memberStream.awaitEvent("ready", 0, WAIT);
            outsiderStream.awaitEvent("ready", 0, WAIT);

            Api.Response batch = api.multipart("/api/v1/collections/" + collection + "/files/batch", List.of(
                    Api.Part.file("kiwi.txt", Documents.text("Kiwi orchards need shelter.")),
                    Api.Part.file("mango.txt", Documents.text("The mango harvest starts in June.")),
                    Api.Part.file("locked.pdf", Documents.encryptedPdf("secret", "Locked."))), admin.token());
            assertThat(batch.status()).as(batch.text()).isEqualTo(200);

            // A file may settle before the batch stored the next one (an event with fewer files): the one that counts
            // is the event after the last file settled.
            await().atMost(Duration.ofSeconds(60)).until(() -> settled(memberStream, collection).stream()
                    .anyMatch(e -> e.path("files").path("total").asInt() == 3));
            JsonNode counts = settled(memberStream, collection).getLast().path("files");
            assertThat(counts.toString()).isEqualTo(
                    "{\"total\":3,\"queued\":0,\"running\":0,\"ready\":2,\"failed\":1}");
            assertThat(settled(memberStream, collection)).allMatch(e -> e.path("files").path("queued").asInt() == 0
                    && e.path("files").path("running").asInt() == 0);

            sleep(500);
            assertThat(outsiderStream.hasEnded()).isFalse();
            assertThat(settled(outsiderStream, collection)).isEmpty();
        }
    }

    /** @return the {@code collection.settled} events about the collection, in arrival order */
    private static List<JsonNode> settled(EventStreamClient stream, UUID collectionId) {
        return stream.data("collection.settled").stream()
                .filter(data -> data.path("collectionId").asString().equals(collectionId.toString())).toList();
    }

    /** @return the {@code file.status} events about the file, in arrival order */
    private static List<JsonNode> statuses(EventStreamClient stream, UUID fileId) {
        return stream.data("file.status").stream()
                .filter(data -> data.path("fileId").asString().equals(fileId.toString())).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
