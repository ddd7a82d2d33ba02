package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.Cluster;
import org.atrium.testing.EventStreamClient;
import org.atrium.testing.FakeChatServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No sticky sessions: one session's consecutive requests land on alternating replicas, as a load balancer without
 * affinity sends them (sign-in, the session cookie, an upload and its live progress, a chat stream, a reattach), and
 * every one works: nothing a request needs lives in the replica that served the one before. Then one replica gets
 * SIGTERM while it streams: its clients carry on with the other.
 */
class NoStickySessionsClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PASSWORD = "correct horse battery staple";

    @Test
    void oneSessionsRequestsWorkOnWhicheverReplicaTheyLand() throws Exception {
        // The replicas share one file store, as they share a volume or an object store in production.
        Path sharedData = Files.createTempDirectory("atrium-sticky-data-");
        try (FakeChatServer provider = FakeChatServer.start();
             Cluster cluster = Cluster.start("sticky", 2, Map.of("ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES",
                     "true", "ATRIUM_DATA_DIR", sharedData.toString()))) {
            provider.models("m");
            Api first = cluster.api(0);
            Api second = cluster.api(1);
            String email = "sticky-" + UUID.randomUUID() + "@example.org";
            Api.Response signUp = first.post("/api/v1/auth/signup", Map.of("email", email, "name", "Admin",
                    "password", PASSWORD), null);
            assertThat(signUp.status()).as(signUp.text()).isEqualTo(201);

            // Signed in on the second replica; the session then goes back and forth.
            Api.Response signIn = second.post("/api/v1/auth/signin", Map.of("email", email, "password", PASSWORD),
                    null);
            assertThat(signIn.status()).as(signIn.text()).isEqualTo(200);
            String session = signIn.json().path("token").asString();
            Api.Response byCookie = first.send("GET", "/api/v1/auth/me", null,
                    Map.of("Cookie", "atrium_session=" + session));
            assertThat(byCookie.status()).as("the cookie of a session made elsewhere: " + byCookie.text())
                    .isEqualTo(200);
            assertThat(byCookie.json().path("email").asString()).isEqualTo(email);

            Api.Response embedding = second.put("/api/v1/settings/instance", Map.of("settings", Map.of(
                    "embedding.connection", "local", "embedding.model", "all-minilm-l6-v2")), session);
            assertThat(embedding.status()).as(embedding.text()).isEqualTo(200);

            try (EventStreamClient events = EventStreamClient.open(first.baseUrl(), session)) {
                Api.Response collection = second.post("/api/v1/collections", Map.of("name", "handbook"), session);
                assertThat(collection.status()).as(collection.text()).isEqualTo(201);
                String collectionId = collection.json().path("id").asString();
                Api.Response upload = first.upload("/api/v1/collections/" + collectionId + "/files", "coats.txt",
                        "Lab coats are required in rooms B1 to B4.".getBytes(StandardCharsets.UTF_8), session);
                assertThat(upload.status()).as(upload.text()).isEqualTo(202);
                String fileId = upload.json().path("fileId").asString();
                JsonNode ready = awaitReady(second, collectionId, fileId, session);
                assertThat(ready.path("status").asString()).as(ready.toString()).isEqualTo("ready");
                events.awaitEvent("file.status", 0, WAIT);
                assertThat(events.data("file.status").stream().map(e -> e.path("fileId").asString()))
                        .as("progress reached the stream opened on the other replica").contains(fileId);
            }

            Api.Response connection = first.post("/api/v1/connections", Map.of("name", "sticky-gen", "kind",
                    "openai", "baseUrl", provider.openAiBaseUrl()), session);
            assertThat(connection.status()).as(connection.text()).isEqualTo(201);
            Api.Response key = second.post("/api/v1/me/credentials", Map.of("connection", "sticky-gen", "kind",
                    "api_key", "name", "mine", "secret", "sk-mine-0123456789abcdef"), session);
            assertThat(key.status()).as(key.text()).isEqualTo(201);
            Api.Response chat = first.post(Chats.CHATS, Map.of("message", Map.of("content", "Which rooms?")),
                    session);
            assertThat(chat.status()).as(chat.text()).isEqualTo(201);
            String chatId = chat.json().path("chat").path("id").asString();
            String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();
            String text = "Rooms B1 to B4, as the handbook says. ";
            provider.enqueue(FakeChatServer.Script.text(text).inChunks(6).stallAfter(2, Duration.ofSeconds(2)));
            String messageId;
            try (AnswerEventStream asked = AnswerEventStream.open(second.baseUrl(), "POST", Chats.CHATS + "/"
                    + chatId + "/answers", AnswerEventStream.json(Map.of("questionId", questionId, "model",
                    "sticky-gen/m")), session)) {
                assertThat(asked.status()).isEqualTo(200);
                asked.awaitText(1, WAIT);
                messageId = asked.events().getFirst().data().path("messageId").asString();
            }
            try (AnswerEventStream reattached = AnswerEventStream.open(first.baseUrl(), "GET", Chats.CHATS + "/"
                    + chatId + "/messages/" + messageId + "/events", null, session)) {
                assertThat(reattached.awaitEnd(WAIT).path("status").asString()).isEqualTo("complete");
                assertThat(reattached.text()).isEqualTo(text);
            }
            Api.Response listed = second.get(Chats.CHATS, session);
            assertThat(listed.status()).isEqualTo(200);
            assertThat(Chats.ids(listed.json())).contains(UUID.fromString(chatId));
            Api.Response signedOut = first.post("/api/v1/auth/signout", null, session);
            assertThat(signedOut.status()).as(signedOut.text()).isIn(200, 204);
            assertThat(second.get("/api/v1/auth/me", session).status()).as("signed out everywhere at once")
                    .isEqualTo(401);

            String again = first.post("/api/v1/auth/signin", Map.of("email", email, "password", PASSWORD), null)
                    .json().path("token").asString();
            shutdownEndsStreamsAndTheirClientsReattachElsewhere(cluster, provider, chatId, questionId, again);
        }
    }

    /**
     * SIGTERM on the replica that generates an answer and serves two streams (the answer's and the live events): both
     * streams end at once instead of holding its graceful shutdown up until the phase timeout, the replica exits
     * cleanly, the answer it was generating is ended as interrupted with what was generated, and its client,
     * reattaching on the other replica, reads that end at once.
     */
    private static void shutdownEndsStreamsAndTheirClientsReattachElsewhere(Cluster cluster, FakeChatServer provider,
            String chatId, String questionId, String session) {
        String text = "Rooms B1 to B4, and B5 on Fridays. ";
        // Silent for far longer than the test waits: only the shutdown can end this answer.
        provider.enqueue(FakeChatServer.Script.text(text).inChunks(6).stallAfter(2, Duration.ofSeconds(90)));
        String messageId;
        String generated;
        try (EventStreamClient events = EventStreamClient.open(cluster.api(1).baseUrl(), session);
             AnswerEventStream asked = AnswerEventStream.open(cluster.api(1).baseUrl(), "POST", Chats.CHATS + "/"
                     + chatId + "/answers", AnswerEventStream.json(Map.of("questionId", questionId, "model",
                     "sticky-gen/m")), session)) {
            assertThat(asked.status()).isEqualTo(200);
            asked.awaitText(1, WAIT);
            messageId = asked.events().getFirst().data().path("messageId").asString();
            generated = asked.text();

            AtriumProcess stopping = cluster.replica(1);
            assertThat(stopping.stop(WAIT)).as("exit after SIGTERM:\n%s", stopping.output()).isEqualTo(143);
            assertThat(stopping.output()).contains("Graceful shutdown complete")
                    .as("no request held the graceful shutdown up to its timeout")
                    .doesNotContain("Graceful shutdown aborted");
            assertThat(asked.awaitClosed(Duration.ofSeconds(5))).as("the answer stream ended").isTrue();
            assertThat(asked.events()).as("without an end: the answer did not end, its stream did")
                    .noneMatch(event -> event.name().equals("end"));
            assertThat(events.awaitEnd(Duration.ofSeconds(5))).as("the event stream ended").isTrue();
        }
        try (AnswerEventStream reattached = AnswerEventStream.open(cluster.api(0).baseUrl(), "GET", Chats.CHATS + "/"
                + chatId + "/messages/" + messageId + "/events", null, session)) {
            JsonNode end = reattached.awaitEnd(Duration.ofSeconds(10));
            assertThat(end.path("status").asString()).as(end.toString()).isEqualTo("failed");
            assertThat(end.path("failureCode").asString()).isEqualTo("answer_interrupted");
            assertThat(reattached.text()).as("what was generated before the shutdown, saved")
                    .startsWith(generated).isNotEqualTo(text);
            assertThat(text).startsWith(reattached.text());
        }
    }

    private static JsonNode awaitReady(Api api, String collectionId, String fileId, String session)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Api.Response files = api.get("/api/v1/collections/" + collectionId + "/files", session);
            assertThat(files.status()).as(files.text()).isEqualTo(200);
            for (JsonNode file : files.json().path("items")) {
                String status = file.path("status").asString();
                if (file.path("fileId").asString().equals(fileId)
                        && (List.of("ready", "failed").contains(status) || System.nanoTime() > deadline)) {
                    return file;
                }
            }
            assertThat(System.nanoTime()).as("the file is listed: " + files.text()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }
}
