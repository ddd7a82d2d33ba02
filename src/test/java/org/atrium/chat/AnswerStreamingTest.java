package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Answers generated server-side: streaming, batched saves, reattach, stop, failures, interruption, bounds, usage. */
class AnswerStreamingTest extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    private AnswerGeneration generation;

    private FakeChatServer provider;
    private TestUsers.Account admin;
    private String connectionId;
    private String connection;
    private Chats chats;

    @BeforeEach
    void startProvider() {
        provider = FakeChatServer.start();
        provider.models("m");
        admin = users.admin();
        chats = new Chats(api);
        connection = "gen-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionId = created.json().path("id").asString();
    }

    @AfterEach
    void stopProvider() {
        api.delete("/api/v1/connections/" + connectionId, admin.token());
        provider.close();
    }

    private TestUsers.Account userWithKey() {
        TestUsers.Account user = users.user();
        key(user);
        return user;
    }

    private void key(TestUsers.Account user) {
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key",
                "name", "mine", "secret", "sk-mine-0123456789abcdef"), user.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
    }

    private String model() {
        return connection + "/m";
    }

    /** A chat with one question; @return chat id and question id */
    private UUID[] question(TestUsers.Account user, String text) {
        JsonNode thread = chats.create(user, "t", text);
        UUID chatId = UUID.fromString(thread.path("chat").path("id").asString());
        return new UUID[]{chatId, Chats.branch(thread).getFirst()};
    }

    private AnswerEventStream ask(TestUsers.Account user, UUID chatId, UUID questionId) {
        return AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + chatId + "/answers",
                AnswerEventStream.json(Map.of("questionId", questionId, "model", model())), user.token());
    }

    private AnswerEventStream reattach(TestUsers.Account user, UUID chatId, UUID messageId) {
        return AnswerEventStream.open(api.baseUrl(), "GET", Chats.CHATS + "/" + chatId + "/messages/" + messageId
                + "/events", null, user.token());
    }

    private static UUID messageId(AnswerEventStream stream) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (AnswerEventStream.Event event : stream.events()) {
                if (event.name().equals("answer")) {
                    return UUID.fromString(event.data().path("messageId").asString());
                }
            }
            sleep();
        }
        throw new AssertionError("no answer event: " + stream.events());
    }

    private JsonNode message(TestUsers.Account user, UUID chatId, UUID messageId) {
        Api.Response read = api.get(Chats.CHATS + "/" + chatId + "/messages/" + messageId, user.token());
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        return read.json();
    }

    private static String words(int n) {
        return IntStream.range(0, n).mapToObj(i -> "w" + i + " ").collect(Collectors.joining());
    }

    @Test
    void theAnswerStreamsIdsThenDeltasThenTheEndAndIsSavedInBatches() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Which rooms need lab coats?");
        String text = words(200);
        provider.enqueue(FakeChatServer.Script.text(text).inChunks(200).withUsage(30, 200));
        long savesBefore = generation.saves();

        try (AnswerEventStream stream = ask(user, q[0], q[1])) {
            assertThat(stream.status()).isEqualTo(200);
            // Atrium's own time from the request's arrival, of which the answer's start in the database is a part.
            Matcher timing = Pattern.compile("atrium;dur=(\\d+\\.\\d{3});desc=\"Atrium\","
                    + " db;dur=(\\d+\\.\\d{3});desc=\"answer start\"").matcher(stream.header("Server-Timing"));
            assertThat(timing.matches()).as(stream.header("Server-Timing")).isTrue();
            assertThat(Double.parseDouble(timing.group(2))).isPositive()
                    .isLessThan(Double.parseDouble(timing.group(1)));
            JsonNode end = stream.awaitEnd(WAIT);
            List<AnswerEventStream.Event> events = stream.events();
            assertThat(events.getFirst().name()).isEqualTo("answer");
            assertThat(events.getFirst().data().path("questionId").asString()).isEqualTo(q[1].toString());
            assertThat(events.getFirst().data().path("model").asString()).isEqualTo(model());
            assertThat(events.getLast().name()).isEqualTo("end");
            assertThat(stream.text()).isEqualTo(text);
            assertThat(end.path("status").asString()).isEqualTo("complete");
            assertThat(end.path("length").asInt()).isEqualTo(text.length());
            assertThat(end.path("usage").path("inputTokens").asInt()).isEqualTo(30);
            assertThat(end.path("usage").path("outputTokens").asInt()).isEqualTo(200);
            assertThat(end.path("timings").path("durationMs").isNumber()).isTrue();
            assertThat(end.path("citations").isArray()).isTrue();

            UUID id = messageId(stream);
            JsonNode saved = message(user, q[0], id);
            assertThat(saved.path("content").asString()).isEqualTo(text);
            assertThat(saved.path("status").asString()).isEqualTo("complete");
            assertThat(saved.path("answer").path("connection").asString()).isEqualTo(connection);
        }
        assertThat(generation.saves() - savesBefore).as("saves for 200 tokens").isLessThan(20);
        JsonNode sent = provider.lastChat().body().path("messages");
        assertThat(sent.get(sent.size() - 1).path("content").toString()).contains("Which rooms need lab coats?");
        assertThat(provider.lastChat().body().path("model").asString()).isEqualTo("m");
    }

    /**
     * Streams whose first event races the request thread's last filters (the provider answers at once), opened one
     * after another on raw connections and left open: each starts whole, its headers intact. When answers streamed
     * from a thread of their own, and before their first write was made on the request thread, some failed with a 500
     * and a NullPointerException in the web server's headers (Tomcat's, then), written by Spring Security's filter
     * and the stream's thread at once; they now stream on the request's thread.
     */
    @Test
    void answerStreamsOpenedOneAfterAnotherEachStartWithTheirHeaders() throws IOException {
        List<Socket> open = new ArrayList<>();
        TestUsers.Account user = null;
        UUID[] q = null;
        try {
            for (int i = 0; i < 90; i++) {
                if (i % 3 == 0) { // within atrium.chat.generation.max-per-user
                    user = userWithKey();
                    q = question(user, "Again?");
                }
                provider.enqueue(FakeChatServer.Script.text("At once, then nothing.").inChunks(2)
                        .stallAfter(1, Duration.ofSeconds(5)));
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), URI.create(api.baseUrl()).getPort());
                open.add(socket);
                byte[] body = AnswerEventStream.json(Map.of("questionId", q[1], "model", model()))
                        .getBytes(StandardCharsets.UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + Chats.CHATS + "/" + q[0] + "/answers HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Bearer " + user.token() + "\r\nContent-Type: application/json\r\n"
                        + "Accept: text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                socket.setSoTimeout((int) WAIT.toMillis());
                String seen = readUntil(socket.getInputStream(), "event:delta");
                assertThat(seen).as("stream %d", i).startsWith("HTTP/1.1 200 ").contains("\r\nServer-Timing: atrium;dur=")
                        .contains("\r\nX-Content-Type-Options: nosniff\r\n");
            }
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    /** What the socket reads until {@code marker} (or its end), as text. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[1024];
        while (!seen.toString().replace(" ", "").contains(marker)) {
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            seen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
        }
        return seen.toString();
    }

    @Test
    void aClientThatDisconnectsMidStreamReattachesAndSeesTheWholeAnswerAndAnEndedAnswerReplaysAtOnce() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Tell me a story");
        String text = "one two three four five six ";
        provider.enqueue(FakeChatServer.Script.text(text).inChunks(6).stallAfter(3, Duration.ofMillis(1500)));
        UUID id;
        try (AnswerEventStream first = ask(user, q[0], q[1])) {
            id = messageId(first);
            first.awaitText(1, WAIT);
        }
        // Gone: the answer goes on without the client.
        try (AnswerEventStream again = reattach(user, q[0], id)) {
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.header("Server-Timing")).matches("atrium;dur=\\d+\\.\\d{3};desc=\"Atrium\"");
            JsonNode end = again.awaitEnd(WAIT);
            assertThat(end.path("status").asString()).isEqualTo("complete");
            assertThat(again.text()).isEqualTo(text);
            assertThat(again.events().getFirst().name()).isEqualTo("answer");
        }
        long started = System.nanoTime();
        try (AnswerEventStream replay = reattach(user, q[0], id)) {
            replay.awaitEnd(WAIT);
            assertThat(replay.text()).isEqualTo(text);
            assertThat(replay.events()).extracting(AnswerEventStream.Event::name)
                    .containsExactly("answer", "delta", "end");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(message(user, q[0], id).path("content").asString()).isEqualTo(text);
    }

    @Test
    void aStopCancelsTheUpstreamCallAndSavesWhatWasGeneratedAsStopped() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Go on and on");
        provider.enqueue(FakeChatServer.Script.text("alpha beta gamma delta ").inChunks(4)
                .stallAfter(2, Duration.ofSeconds(3)));
        try (AnswerEventStream stream = ask(user, q[0], q[1])) {
            UUID id = messageId(stream);
            // The fake splits the text in 4 even pieces and stalls after 2: "alpha beta g" is what there is.
            stream.awaitText(12, WAIT);
            double generating = metric("atrium_chat_answers_generating");
            assertThat(generating).as("this answer is counted as generating here").isGreaterThanOrEqualTo(1);
            Api.Response stopped = api.post(Chats.CHATS + "/" + q[0] + "/messages/" + id + "/stop", null,
                    user.token());
            assertThat(stopped.status()).as(stopped.text()).isEqualTo(200);
            assertThat(stopped.json().path("status").asString()).isEqualTo("stopped");
            assertThat(stopped.json().path("content").asString()).isEqualTo("alpha beta g");
            JsonNode end = stream.awaitEnd(WAIT);
            assertThat(end.path("status").asString()).isEqualTo("stopped");
            assertThat(stream.text()).isEqualTo("alpha beta g");
            // The fake notices the closed connection when it writes again, after its stall.
            awaitTrue(() -> provider.disconnects() > 0, "the upstream connection is closed");
            assertThat(provider.completed()).as("the provider never finished the answer").isZero();
            awaitTrue(() -> metric("atrium_chat_answers_generating") <= generating - 1, "no longer counted");
            // Stopping again changes nothing.
            Api.Response again = api.post(Chats.CHATS + "/" + q[0] + "/messages/" + id + "/stop", null,
                    user.token());
            assertThat(again.json().path("status").asString()).isEqualTo("stopped");
        }
    }

    @Test
    void aStopWhoseGeneratorIsGoneEndsTheAnswerFromTheDatabase() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Anyone there?");
        UUID id = deadAnswer(q[0], q[1], "half an ans", "0 seconds");
        Api.Response stopped = api.post(Chats.CHATS + "/" + q[0] + "/messages/" + id + "/stop", null, user.token());
        assertThat(stopped.status()).as(stopped.text()).isEqualTo(200);
        assertThat(stopped.json().path("status").asString()).isEqualTo("stopped");
        assertThat(stopped.json().path("content").asString()).isEqualTo("half an ans");
    }

    @Test
    void aProviderFailureMidStreamEndsTheAnswerAsFailedWithTheReason() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Fail please");
        provider.enqueue(FakeChatServer.Script.text("partial answer ").inChunks(2).failMidStream("model overloaded"));
        try (AnswerEventStream stream = ask(user, q[0], q[1])) {
            JsonNode end = stream.awaitEnd(WAIT);
            assertThat(end.path("status").asString()).isEqualTo("failed");
            assertThat(end.path("failureCode").asString()).startsWith("provider_");
            assertThat(end.path("failureReason").asString()).contains("model overloaded");
            JsonNode saved = message(user, q[0], messageId(stream));
            assertThat(saved.path("status").asString()).isEqualTo("failed");
            assertThat(saved.path("answer").path("failureReason").asString()).contains("model overloaded");
        }
    }

    @Test
    void anAnswerWhoseGeneratorDiedIsEndedAsInterruptedOnReadAndByTheRecurringTask() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Are you alive?");
        UUID onRead = deadAnswer(q[0], q[1], "I was saying", "1 hour");
        try (AnswerEventStream stream = reattach(user, q[0], onRead)) {
            JsonNode end = stream.awaitEnd(WAIT);
            assertThat(end.path("status").asString()).isEqualTo("failed");
            assertThat(end.path("failureCode").asString()).isEqualTo("answer_interrupted");
            assertThat(stream.text()).isEqualTo("I was saying");
        }
        UUID onPlainRead = deadAnswer(q[0], q[1], "And me", "1 hour");
        JsonNode read = message(user, q[0], onPlainRead);
        assertThat(read.path("status").asString()).isEqualTo("failed");
        assertThat(read.path("answer").path("failureCode").asString()).isEqualTo("answer_interrupted");
        assertThat(read.path("content").asString()).isEqualTo("And me");
        UUID byTask = deadAnswer(q[0], q[1], "Me too", "1 hour");
        UUID alive = deadAnswer(q[0], q[1], "Still here", "0 seconds");
        assertThat(generation.endInterrupted()).isGreaterThanOrEqualTo(1);
        assertThat(jdbc.sql("select status from chat_messages where id = :id").param("id", byTask)
                .query(String.class).single()).isEqualTo("failed");
        assertThat(message(user, q[0], alive).path("status").asString()).isEqualTo("in_progress");
        jdbc.sql("update chat_messages set status = 'failed', failure_code = 'x' where id = :id")
                .param("id", alive).update();
    }

    @Test
    void aUserWithTooManyAnswersGeneratingIsRefusedWith429() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Many at once");
        List<AnswerEventStream> streams = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                provider.enqueue(FakeChatServer.Script.text("slow one ").inChunks(2)
                        .stallAfter(1, Duration.ofSeconds(20)));
                AnswerEventStream stream = ask(user, q[0], q[1]);
                streams.add(stream);
                assertThat(stream.status()).isEqualTo(200);
                ids.add(messageId(stream));
            }
            try (AnswerEventStream refused = ask(user, q[0], q[1])) {
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.header("Retry-After")).isNotNull();
                assertThat(refused.problem().path("code").asString()).isEqualTo("too_many_answers");
            }
            // Another user is not affected.
            TestUsers.Account other = userWithKey();
            UUID[] theirs = question(other, "Me?");
            try (AnswerEventStream fine = ask(other, theirs[0], theirs[1])) {
                assertThat(fine.status()).isEqualTo(200);
                fine.awaitEnd(WAIT);
            }
        } finally {
            for (UUID id : ids) {
                api.post(Chats.CHATS + "/" + q[0] + "/messages/" + id + "/stop", null, user.token());
            }
            streams.forEach(AnswerEventStream::close);
        }
    }

    @Test
    void usageIsRecordedAndTheTokenQuotaRefusesTheNextAnswerWith429() {
        UUID group = users.group(admin, "gen-quota");
        TestUsers.Account member = users.user();
        users.member(admin, group, member, "member");
        key(member);
        assertThat(api.put("/api/v1/groups/" + group + "/settings", Map.of("settings",
                Map.of("quotas.tokensPerDay", 17)), admin.token()).status()).isEqualTo(200);
        UUID[] q = question(member, "How much?");
        try (AnswerEventStream first = ask(member, q[0], q[1])) {
            assertThat(first.awaitEnd(WAIT).path("usage").path("outputTokens").asInt()).isEqualTo(5);
        }
        try (AnswerEventStream refused = ask(member, q[0], q[1])) {
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("Retry-After")).isNotNull();
            assertThat(refused.problem().path("code").asString()).isEqualTo("quota_exceeded");
        }
    }

    @Test
    void regeneratingMakesASiblingWithTheSameModel() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Again?");
        UUID first;
        try (AnswerEventStream stream = ask(user, q[0], q[1])) {
            stream.awaitEnd(WAIT);
            first = messageId(stream);
        }
        provider.enqueue(FakeChatServer.Script.text("second take"));
        try (AnswerEventStream again = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + q[0]
                + "/messages/" + first + "/regenerate", "{}", user.token())) {
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.awaitEnd(WAIT).path("status").asString()).isEqualTo("complete");
            assertThat(again.text()).isEqualTo("second take");
            UUID second = messageId(again);
            JsonNode thread = chats.thread(user, q[0]);
            assertThat(Chats.branch(thread)).containsExactly(q[1], second);
            assertThat(thread.path("messages").get(1).path("siblings").path("count").asInt()).isEqualTo(2);
            assertThat(message(user, q[0], second).path("answer").path("model").asString()).isEqualTo(model());
        }
    }

    @Test
    void anAnswerTakesTheShapeAskedForAndARegeneratedOneKeepsIt() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "When is the grant deadline?");
        Map<String, Object> schema = Map.of("type", "object", "properties", Map.of("deadline",
                Map.of("type", "string")), "required", List.of("deadline"));
        provider.enqueue(FakeChatServer.Script.text("{\"deadline\": \"2027-01-15\"}"));
        UUID first;
        try (AnswerEventStream stream = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + q[0]
                + "/answers", AnswerEventStream.json(Map.of("questionId", q[1], "model", model(), "parameters",
                Map.of("format", Map.of("type", "json_schema", "name", "deadline", "schema", schema)))),
                user.token())) {
            assertThat(stream.awaitEnd(WAIT).path("status").asString()).isEqualTo("complete");
            first = messageId(stream);
        }
        JsonNode sent = provider.lastChat().body().path("response_format");
        assertThat(sent.path("type").asString()).isEqualTo("json_schema");
        assertThat(sent.path("json_schema").path("name").asString()).isEqualTo("deadline");
        assertThat(sent.path("json_schema").path("schema").path("required").get(0).asString()).isEqualTo("deadline");
        assertThat(message(user, q[0], first).path("answer").path("parameters").path("format").path("type")
                .asString()).isEqualTo("json_schema");

        try (AnswerEventStream again = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + q[0]
                + "/messages/" + first + "/regenerate", "{}", user.token())) {
            assertThat(again.awaitEnd(WAIT).path("status").asString()).isEqualTo("complete");
        }
        assertThat(provider.lastChat().body().path("response_format").path("json_schema").path("name").asString())
                .as("the stored format, reused").isEqualTo("deadline");

        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("type", "json_schema"),
                Map.of("type", "json_object", "schema", schema),
                Map.of("type", "yaml"),
                Map.of("type", "json_schema", "name", "no spaces allowed", "schema", schema),
                Map.of("type", "json_schema", "schema",
                        Map.of("description", "x".repeat(AnswerFormat.MAX_SCHEMA_CHARS))))) {
            Api.Response refused = api.post(Chats.CHATS + "/" + q[0] + "/answers", Map.of("questionId", q[1],
                    "model", model(), "parameters", Map.of("format", bad)), user.token());
            assertThat(refused.status()).as(bad + ": " + refused.text()).isEqualTo(400);
            assertThat(refused.json().path("code").asString()).isEqualTo("validation_failed");
        }
    }

    @Test
    void refusalsAreProblemsBeforeAnyStream() {
        TestUsers.Account user = userWithKey();
        UUID[] q = question(user, "Refuse me");
        Map<String, Object> unknown = new HashMap<>(Map.of("questionId", q[1], "model", connection + "/nope"));
        Api.Response notFound = api.post(Chats.CHATS + "/" + q[0] + "/answers", unknown, user.token());
        assertThat(notFound.status()).as(notFound.text()).isEqualTo(404);
        assertThat(notFound.json().path("code").asString()).isEqualTo("model_not_found");

        TestUsers.Account keyless = users.user();
        UUID[] theirs = question(keyless, "No key");
        Api.Response noKey = api.post(Chats.CHATS + "/" + theirs[0] + "/answers",
                Map.of("questionId", theirs[1], "model", model()), keyless.token());
        assertThat(noKey.json().path("code").asString()).isEqualTo("model_not_found");

        Api.Response outOfRange = api.post(Chats.CHATS + "/" + q[0] + "/answers", Map.of("questionId", q[1],
                "model", model(), "parameters", Map.of("temperature", 9)), user.token());
        assertThat(outOfRange.status()).isEqualTo(400);

        Api.Response othersChat = api.post(Chats.CHATS + "/" + q[0] + "/answers",
                Map.of("questionId", q[1], "model", model()), keyless.token());
        assertThat(othersChat.json().path("code").asString()).as("named before the model the caller lacks")
                .isEqualTo("chat_not_found");
        // With a model the caller has, nothing is checked before the start, which refuses these itself.
        Api.Response othersChatWithAModel = api.post(Chats.CHATS + "/" + theirs[0] + "/answers",
                Map.of("questionId", theirs[1], "model", model()), user.token());
        assertThat(othersChatWithAModel.status()).isEqualTo(404);
        assertThat(othersChatWithAModel.json().path("code").asString()).isEqualTo("chat_not_found");
        Api.Response noSuchQuestion = api.post(Chats.CHATS + "/" + q[0] + "/answers",
                Map.of("questionId", UUID.randomUUID(), "model", model()), user.token());
        assertThat(noSuchQuestion.status()).isEqualTo(404);
        assertThat(noSuchQuestion.json().path("code").asString()).isEqualTo("message_not_found");

        Api.Response notAnAnswer = api.post(Chats.CHATS + "/" + q[0] + "/messages/" + q[1] + "/stop", null,
                user.token());
        assertThat(notAnAnswer.status()).isEqualTo(400);
        Api.Response eventsOfAQuestion = api.get(Chats.CHATS + "/" + q[0] + "/messages/" + q[1] + "/events",
                user.token());
        assertThat(eventsOfAQuestion.status()).isEqualTo(400);
        Api.Response regenerateAQuestion = api.post(Chats.CHATS + "/" + q[0] + "/messages/" + q[1] + "/regenerate",
                Map.of(), user.token());
        assertThat(regenerateAQuestion.status()).isEqualTo(400);
    }

    /** Writes an answer in progress as a generator that died would leave it, last saved {@code ago}. */
    private UUID deadAnswer(UUID chatId, UUID questionId, String content, String ago) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into chat_messages (id, chat_id, parent_id, role, content, status, model, connection,
                                                   parameters, created_at, updated_at)
                        values (:id, :chat, :parent, 'assistant', :content, 'in_progress', :model, :connection,
                                '{}'::jsonb, now() - cast(:ago as interval), now() - cast(:ago as interval))""")
                .param("id", id).param("chat", chatId).param("parent", questionId).param("content", content)
                .param("model", model()).param("connection", connection).param("ago", ago).update();
        jdbc.sql("update chats set message_count = message_count + 1 where id = :id").param("id", chatId).update();
        return id;
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            sleep();
        }
        throw new AssertionError(what);
    }
}
