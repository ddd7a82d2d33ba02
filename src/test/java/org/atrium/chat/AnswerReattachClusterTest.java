package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.Cluster;
import org.atrium.testing.FakeChatServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Atrium processes sharing PostgreSQL and Redis: an answer generated on one replica is reattached to from the
 * other (saved text, then live batches through Redis, then the end), and stopped from the other (the generating
 * replica cancels the upstream call).
 */
class AnswerReattachClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void anAnswerGeneratedOnOneReplicaIsReattachedToAndStoppedFromAnother() {
        try (FakeChatServer provider = FakeChatServer.start();
             Cluster cluster = Cluster.start("answers", 2, Map.of("ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES",
                     "true"))) {
            provider.models("m");
            Api first = cluster.api(0);
            Api second = cluster.api(1);
            String token = Chats.adminWithConnection(first, provider, "cluster-gen");
            Api.Response chat = first.post(Chats.CHATS, Map.of("message", Map.of("content", "Tell me")), token);
            assertThat(chat.status()).as(chat.text()).isEqualTo(201);
            String chatId = chat.json().path("chat").path("id").asString();
            String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();
            String ask = AnswerEventStream.json(Map.of("questionId", questionId, "model", "cluster-gen/m"));

            String text = "one two three four five six ";
            provider.enqueue(FakeChatServer.Script.text(text).inChunks(6).stallAfter(3, Duration.ofSeconds(2)));
            String messageId;
            try (AnswerEventStream started = AnswerEventStream.open(first.baseUrl(), "POST",
                    Chats.CHATS + "/" + chatId + "/answers", ask, token)) {
                assertThat(started.status()).isEqualTo(200);
                started.awaitText(1, WAIT);
                messageId = started.events().getFirst().data().path("messageId").asString();
            }
            try (AnswerEventStream reattached = AnswerEventStream.open(second.baseUrl(), "GET",
                    Chats.CHATS + "/" + chatId + "/messages/" + messageId + "/events", null, token)) {
                assertThat(reattached.status()).isEqualTo(200);
                JsonNode end = reattached.awaitEnd(WAIT);
                assertThat(end.path("status").asString()).isEqualTo("complete");
                assertThat(reattached.text()).isEqualTo(text);
                assertThat(reattached.events().stream().filter(e -> e.name().equals("delta")).count())
                        .as("the saved part, then live batches from the other replica").isGreaterThan(1);
            }

            provider.enqueue(FakeChatServer.Script.text("alpha beta gamma delta ").inChunks(4)
                    .stallAfter(2, Duration.ofSeconds(10)));
            try (AnswerEventStream started = AnswerEventStream.open(first.baseUrl(), "POST",
                    Chats.CHATS + "/" + chatId + "/messages/" + messageId + "/regenerate", "{}", token)) {
                assertThat(started.status()).isEqualTo(200);
                started.awaitText(12, WAIT);
                String stopping = started.events().getFirst().data().path("messageId").asString();
                long begun = System.nanoTime();
                Api.Response stopped = second.post(Chats.CHATS + "/" + chatId + "/messages/" + stopping + "/stop",
                        null, token);
                assertThat(stopped.status()).as(stopped.text()).isEqualTo(200);
                assertThat(stopped.json().path("status").asString()).isEqualTo("stopped");
                assertThat(stopped.json().path("content").asString()).isEqualTo("alpha beta g");
                assertThat(Duration.ofNanos(System.nanoTime() - begun))
                        .as("ended by the generating replica, not by the stop's own fallback after 3 s")
                        .isLessThan(Duration.ofMillis(2500));
                assertThat(started.awaitEnd(WAIT).path("status").asString()).isEqualTo("stopped");
            }
        }
    }
}
