package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.ClockMinutes;
import org.atrium.testing.Cluster;
import org.atrium.testing.FakeChatServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Atrium processes sharing PostgreSQL and Redis, one of them killed with SIGKILL while it streams an answer.
 * Quotas count requests across both replicas; the live "models in use" view shows the killed replica's stream until its
 * entry expires and never after, with no cleanup step; the killed answer is ended as interrupted by the survivor; usage
 * totals hold every answer that ended exactly once (what the killed replica had flushed, and nothing twice).
 */
class ChatReplicaKillClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void quotasHoldAcrossReplicasAndAKilledReplicaLeavesNoStreamAndNoDoubleCount() throws Exception {
        try (FakeChatServer provider = FakeChatServer.start();
             Cluster cluster = Cluster.start("chatkill", Map.of(
                             "ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES", "true",
                             "ATRIUM_USAGE_FLUSHINTERVAL", "200ms",
                             "ATRIUM_USAGE_MODELSINUSETTL", "3s",
                             "ATRIUM_CHAT_GENERATION_HEARTBEAT", "500ms",
                             "ATRIUM_CHAT_GENERATION_INTERRUPTEDAFTER", "4s",
                             "ATRIUM_CHAT_GENERATION_INTERRUPTEDCHECK", "1s"),
                     List.of(Map.of("ATRIUM_USAGE_REPLICANAME", "replica-a"),
                             Map.of("ATRIUM_USAGE_REPLICANAME", "replica-b")))) {
            provider.models("m");
            Api first = cluster.api(0);
            Api second = cluster.api(1);
            String token = Chats.adminWithConnection(first, provider, "kill-gen");
            Api.Response chat = first.post(Chats.CHATS, Map.of("message", Map.of("content", "Tell me")), token);
            assertThat(chat.status()).as(chat.text()).isEqualTo(201);
            String chatId = chat.json().path("chat").path("id").asString();
            String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();
            String ask = AnswerEventStream.json(Map.of("questionId", questionId, "model", "kill-gen/m"));
            String answers = Chats.CHATS + "/" + chatId + "/answers";

            // Quotas: two requests a minute, counted across both replicas, all made inside one clock minute.
            ClockMinutes.awaitAtLeastLeft(Duration.ofSeconds(20));
            assertThat(first.put("/api/v1/settings/instance", Map.of("settings", Map.of(
                    "quotas.requestsPerMinute", 2)), token).status()).isEqualTo(200);
            long expectedTokens = 0;
            for (Api replica : List.of(first, second)) {
                provider.enqueue(FakeChatServer.Script.text("counted ").withUsage(10, 3));
                try (AnswerEventStream answer = AnswerEventStream.open(replica.baseUrl(), "POST", answers, ask,
                        token)) {
                    assertThat(answer.status()).isEqualTo(200);
                    JsonNode end = answer.awaitEnd(WAIT);
                    assertThat(end.path("status").asString()).isEqualTo("complete");
                    expectedTokens += end.path("usage").path("inputTokens").asLong()
                            + end.path("usage").path("outputTokens").asLong();
                }
            }
            assertThat(expectedTokens).isEqualTo(26);
            for (Api replica : List.of(first, second)) {
                Api.Response refused = replica.post(answers, Map.of("questionId", questionId, "model",
                        "kill-gen/m"), token);
                assertThat(refused.status()).as(refused.text()).isEqualTo(429);
                assertThat(refused.json().path("code").asString()).isEqualTo("quota_exceeded");
                assertThat(refused.header("Retry-After")).isNotNull();
            }
            assertThat(first.put("/api/v1/settings/instance", Map.of("settings", Map.of(
                    "quotas.requestsPerMinute", 1_000)), token).status()).isEqualTo(200);

            // An answer streaming on the first replica, seen from the second; then the first is killed.
            provider.enqueue(FakeChatServer.Script.text("never finished because the replica dies ").inChunks(4)
                    .withUsage(10, 3).stallAfter(1, Duration.ofSeconds(60)));
            String killedAnswer;
            try (AnswerEventStream answer = AnswerEventStream.open(first.baseUrl(), "POST", answers, ask, token)) {
                assertThat(answer.status()).isEqualTo(200);
                answer.awaitText(1, WAIT);
                killedAnswer = answer.events().getFirst().data().path("messageId").asString();
                JsonNode inUse = await(() -> second.get("/api/v1/models-in-use", token).json(),
                        view -> view.path("streams").asInt() == 1);
                JsonNode model = inUse.path("models").get(0);
                assertThat(model.path("model").asString()).isEqualTo("m");
                assertThat(model.path("connection").asString()).isEqualTo("kill-gen");
                assertThat(model.path("replicas").get(0).asString()).isEqualTo("replica-a");
                // Whatever the first replica had buffered has had time to be flushed.
                Thread.sleep(1_000);
                cluster.kill(0);
            }
            long killedAt = System.nanoTime();
            JsonNode empty = await(() -> second.get("/api/v1/models-in-use", token).json(),
                    view -> view.path("streams").asInt() == 0);
            assertThat(empty.path("models").size()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("gone when its entry expired, 3 s")
                    .isLessThan(Duration.ofSeconds(10));

            JsonNode interrupted = await(() -> second.get(Chats.CHATS + "/" + chatId + "/messages/" + killedAnswer,
                    token).json(), message -> !message.path("status").asString().equals("in_progress"));
            assertThat(interrupted.path("status").asString()).isEqualTo("failed");
            assertThat(interrupted.path("answer").path("failureCode").asString()).isEqualTo("answer_interrupted");
            assertThat(interrupted.path("content").asString()).as("what was saved before the kill")
                    .startsWith("never");

            // One more answer on the survivor; the totals hold each ended answer once.
            provider.enqueue(FakeChatServer.Script.text("after the kill ").withUsage(10, 3));
            try (AnswerEventStream answer = AnswerEventStream.open(second.baseUrl(), "POST", answers, ask, token)) {
                assertThat(answer.awaitEnd(WAIT).path("status").asString()).isEqualTo("complete");
            }
            long total = expectedTokens + 13;
            String day = LocalDate.now(ZoneOffset.UTC).toString();
            String period = "from=" + day + "T00:00:00Z&to=" + LocalDate.now(ZoneOffset.UTC).plusDays(1)
                    + "T00:00:00Z";
            JsonNode usage = await(() -> second.get("/api/v1/usage?" + period + "&groupBy=model", token).json(),
                    report -> report.path("items").size() == 1
                            && report.path("items").get(0).path("totalTokens").asLong() >= total);
            JsonNode row = usage.path("items").get(0);
            assertThat(row.path("key").asString()).isEqualTo("m");
            assertThat(row.path("requests").asLong()).as("three answers ended; the killed one never did")
                    .isEqualTo(3);
            assertThat(row.path("totalTokens").asLong()).isEqualTo(total);
        }
    }

    private static JsonNode await(java.util.function.Supplier<JsonNode> read, Predicate<JsonNode> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = read.get();
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = read.get();
        }
        assertThat(done.test(last)).as("reached in time: %s", last).isTrue();
        return last;
    }
}
