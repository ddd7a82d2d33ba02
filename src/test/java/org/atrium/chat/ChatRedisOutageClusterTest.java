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
 * Redis down means slower, not wrong, for chat too: with the replica's Redis stopped, an answer is generated, streamed
 * to its end and saved. The asker's stream ends when the answer does, without waiting for the end's broadcast, which
 * cannot come: the poll interval (a client's read of the database when nothing arrived) is set far beyond the test's
 * wait, so a stream that needed the broadcast or the poll would not end in time.
 */
class ChatRedisOutageClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void withRedisStoppedAnAnswerStreamsToItsEndAndIsSaved() {
        try (FakeChatServer provider = FakeChatServer.start();
             Cluster cluster = Cluster.start("chatredis", 1, Map.of(
                     "ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES", "true",
                     "ATRIUM_CHAT_GENERATION_POLLINTERVAL", "300s"))) {
            provider.models("m");
            Api api = cluster.api(0);
            String token = Chats.adminWithConnection(api, provider, "outage");
            Api.Response chat = api.post(Chats.CHATS, Map.of("message", Map.of("content", "Are you there?")), token);
            assertThat(chat.status()).as(chat.text()).isEqualTo(201);
            String chatId = chat.json().path("chat").path("id").asString();
            String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();

            cluster.stopRedis();
            provider.enqueue(FakeChatServer.Script.text("Still here, without Redis.").inChunks(4));
            String messageId;
            try (AnswerEventStream stream = AnswerEventStream.open(api.baseUrl(), "POST",
                    Chats.CHATS + "/" + chatId + "/answers", AnswerEventStream.json(Map.of("questionId",
                            questionId, "model", "outage/m")), token)) {
                assertThat(stream.status()).isEqualTo(200);
                JsonNode end;
                try {
                    end = stream.awaitEnd(WAIT);
                } catch (AssertionError notEnded) {
                    throw new AssertionError("no end; events " + stream.events() + "\n" + cluster.outputs(),
                            notEnded);
                }
                assertThat(end.path("status").asString()).isEqualTo("complete");
                assertThat(stream.text()).isEqualTo("Still here, without Redis.");
                messageId = stream.events().getFirst().data().path("messageId").asString();
            }
            JsonNode saved = api.get(Chats.CHATS + "/" + chatId + "/messages/" + messageId, token).json();
            assertThat(saved.path("status").asString()).isEqualTo("complete");
            assertThat(saved.path("content").asString()).isEqualTo("Still here, without Redis.");
        }
    }
}
