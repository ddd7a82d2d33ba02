package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.FakeConnection;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images and tools through the native chat endpoints: a question's images reach the provider as image parts; an answer
 * offered tools ends with the calls it made; the caller adds each result as a tool message and asks for the answer to
 * them; regenerating offers the same tools again. Every bound and check answers {@code 400 validation_failed}.
 */
class ChatImagesAndToolsTest extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
            + "nGNgYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    private static final Map<String, Object> SCHEDULE = Map.of("name", "room_schedule", "description",
            "The bookings of a room on a day.", "parameters", Map.of("type", "object", "properties",
                    Map.of("room", Map.of("type", "string")), "required", List.of("room")));

    private FakeConnection connection;
    private FakeChatServer provider;

    @BeforeEach
    void startProvider() {
        connection = FakeConnection.open(api, users, "img", "m");
        provider = connection.provider();
    }

    @AfterEach
    void stopProvider() {
        connection.close();
    }

    private TestUsers.Account userWithKey() {
        return connection.userWithKey(users);
    }

    /** Creates a chat whose first message is this one; @return the response */
    private Api.Response create(TestUsers.Account user, Map<String, Object> message) {
        return api.post(Chats.CHATS, Map.of("title", "t", "message", message), user.token());
    }

    private Api.Response add(TestUsers.Account user, UUID chatId, Map<String, Object> message) {
        return api.post(Chats.CHATS + "/" + chatId + "/messages", message, user.token());
    }

    /** Asks for an answer and reads its stream to the end; @return the end event's data */
    private AnswerEventStream ask(TestUsers.Account user, UUID chatId, UUID questionId,
                                  Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("questionId", questionId);
        body.putIfAbsent("model", connection.name() + "/m");
        AnswerEventStream stream = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + chatId
                + "/answers", AnswerEventStream.json(body), user.token());
        assertThat(stream.status()).isEqualTo(200);
        stream.awaitEnd(WAIT);
        return stream;
    }

    private static UUID answerId(AnswerEventStream stream) {
        return UUID.fromString(stream.events().getFirst().data().path("messageId").asString());
    }

    private JsonNode message(TestUsers.Account user, UUID chatId, UUID messageId) {
        Api.Response read = api.get(Chats.CHATS + "/" + chatId + "/messages/" + messageId, user.token());
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        return read.json();
    }

    private static void assertInvalid(Api.Response response, String field) {
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(response.text()).contains(field);
    }

    @Test
    void aQuestionsImagesReachTheProviderAsImagePartsAfterItsText() {
        TestUsers.Account user = userWithKey();
        Api.Response created = create(user, Map.of("content", "What does this room sign say?", "images",
                List.of(PNG, "https://intranet.example.org/rooms/b1.png")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        UUID chatId = UUID.fromString(created.json().path("chat").path("id").asString());
        JsonNode question = created.json().path("messages").get(0).path("message");
        assertThat(question.path("images").size()).isEqualTo(2);
        provider.enqueue(FakeChatServer.Script.text("It says: lab coats required."));

        AnswerEventStream stream = ask(user, chatId, UUID.fromString(question.path("id").asString()), Map.of());

        assertThat(stream.text()).isEqualTo("It says: lab coats required.");
        JsonNode sent = provider.lastChat().body().path("messages");
        JsonNode content = sent.get(sent.size() - 1).path("content");
        assertThat(content.isArray()).as(sent.toString()).isTrue();
        assertThat(content.get(0).path("type").asString()).isEqualTo("text");
        assertThat(content.get(0).path("text").asString()).isEqualTo("What does this room sign say?");
        assertThat(content.get(1).path("image_url").path("url").asString()).isEqualTo(PNG);
        assertThat(content.get(2).path("image_url").path("url").asString())
                .isEqualTo("https://intranet.example.org/rooms/b1.png");
        JsonNode saved = message(user, chatId, UUID.fromString(question.path("id").asString()));
        assertThat(saved.path("images").get(0).asString()).isEqualTo(PNG);
    }

    /**
     * A request the provider kind cannot take is refused before any request, on the request's thread for an answer
     * without knowledge (its call starts there): the answer still ends, failed with the provider's code, and the
     * user's next answer is generated.
     */
    @Test
    void anImageLinkAnOllamaModelCannotTakeEndsTheAnswerFailedWithoutARequest() {
        String name = "ollama-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response added = api.post("/api/v1/connections", Map.of("name", name, "kind", "ollama", "baseUrl",
                provider.ollamaBaseUrl()), connection.admin().token());
        assertThat(added.status()).as(added.text()).isEqualTo(201);
        try {
            TestUsers.Account user = users.user();
            Api.Response created = create(user, Map.of("content", "What does this sign say?", "images",
                    List.of("https://intranet.example.org/rooms/b1.png")));
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            UUID chatId = UUID.fromString(created.json().path("chat").path("id").asString());
            UUID questionId = UUID.fromString(created.json().path("messages").get(0).path("message").path("id")
                    .asString());
            long chatsBefore = chatRequests();

            AnswerEventStream refused = ask(user, chatId, questionId, Map.of("model", name + "/m"));

            JsonNode end = refused.awaitEnd(WAIT);
            assertThat(end.path("status").asString()).isEqualTo("failed");
            assertThat(end.path("failureCode").asString()).isEqualTo("provider_unsupported");
            assertThat(message(user, chatId, answerId(refused)).path("status").asString()).isEqualTo("failed");
            assertThat(chatRequests()).as("chat requests to the provider").isEqualTo(chatsBefore);

            // The image stays in that conversation; a chat without one is answered.
            Api.Response plain = create(user, Map.of("content", "Say hello."));
            assertThat(plain.status()).as(plain.text()).isEqualTo(201);
            provider.enqueue(FakeChatServer.Script.text("Hello."));
            AnswerEventStream answered = ask(user, UUID.fromString(plain.json().path("chat").path("id").asString()),
                    UUID.fromString(plain.json().path("messages").get(0).path("message").path("id").asString()),
                    Map.of("model", name + "/m"));
            assertThat(answered.awaitEnd(WAIT).path("status").asString()).isEqualTo("complete");
            assertThat(answered.text()).isEqualTo("Hello.");
        } finally {
            api.delete("/api/v1/connections/" + added.json().path("id").asString(), connection.admin().token());
        }
    }

    /** @return the chat requests the provider has had (its model lists not counted) */
    private long chatRequests() {
        return provider.requests().stream().filter(received -> received.method().equals("POST")).count();
    }

    @Test
    void aLargeImageFitsTheChatBodyLimitThatImagesNeed() {
        TestUsers.Account user = userWithKey();
        // About 900 KB of base64: over the 1 MB default body limit with its JSON around it twice over, under 8 MB.
        String big = "data:image/jpeg;base64," + "A".repeat(900_000);
        Api.Response created = create(user, Map.of("content", "Two photos.", "images", List.of(big, big)));

        assertThat(created.status()).as(created.text().substring(0, Math.min(300, created.text().length())))
                .isEqualTo(201);
    }

    @Test
    void imagesAreBoundedAndCheckedAndGoWithQuestionsOnly() {
        TestUsers.Account user = userWithKey();
        assertInvalid(create(user, Map.of("content", "x", "images", Collections.nCopies(5, PNG))), "images");
        for (String bad : List.of("data:text/plain;base64,QUJD", "data:image/svg+xml;base64,PHN2Zz4=",
                "data:image/png;base64,not base64!", "ftp://example.org/a.png", "https://", "javascript:alert(1)",
                "https://example.org/" + "a".repeat(ChatService.MAX_IMAGE_ADDRESS_LENGTH))) {
            assertInvalid(create(user, Map.of("content", "x", "images", List.of(bad))), "images[0]");
        }
        assertInvalid(create(user, Map.of("content", "Be brief.", "role", "system", "images", List.of(PNG))),
                "images");
    }

    @Test
    void anAnswerOfferedToolsEndsWithItsCallsAndTheResultsAreAnsweredInTurn() {
        TestUsers.Account user = userWithKey();
        Api.Response created = create(user, Map.of("content", "Is room B1 free at ten?"));
        UUID chatId = UUID.fromString(created.json().path("chat").path("id").asString());
        UUID questionId = UUID.fromString(created.json().path("messages").get(0).path("message").path("id")
                .asString());
        provider.enqueue(FakeChatServer.Script.text("").withToolCall("call_1", "room_schedule",
                "{\"room\":\"B1\"}"), FakeChatServer.Script.text("B1 is free at ten."));
        Map<String, Object> tools = Map.of("tools", Map.of("functions", List.of(SCHEDULE), "toolChoice",
                "required"));

        AnswerEventStream calling = ask(user, chatId, questionId, tools);

        JsonNode end = calling.awaitEnd(WAIT);
        assertThat(end.path("status").asString()).as(end.toString()).isEqualTo("complete");
        assertThat(end.path("toolCalls").get(0).path("id").asString()).isEqualTo("call_1");
        assertThat(end.path("toolCalls").get(0).path("name").asString()).isEqualTo("room_schedule");
        assertThat(end.path("toolCalls").get(0).path("arguments").asString()).contains("\"B1\"");
        JsonNode offered = provider.lastChat().body();
        assertThat(offered.path("tools").get(0).path("function").path("name").asString()).isEqualTo("room_schedule");
        assertThat(offered.path("tools").get(0).path("function").path("parameters").path("required").toString())
                .contains("room");
        assertThat(offered.path("tool_choice").asString()).isEqualTo("required");
        UUID answerId = answerId(calling);
        JsonNode saved = message(user, chatId, answerId);
        assertThat(saved.path("answer").path("toolCalls").get(0).path("id").asString()).isEqualTo("call_1");
        assertThat(saved.path("answer").path("tools").path("functions").get(0).path("name").asString())
                .isEqualTo("room_schedule");

        Api.Response result = add(user, chatId, Map.of("parentId", answerId, "role", "tool", "toolCallId",
                "call_1", "content", "{\"bookings\": []}"));
        assertThat(result.status()).as(result.text()).isEqualTo(201);
        assertThat(result.json().path("toolName").asString()).isEqualTo("room_schedule");
        UUID resultId = UUID.fromString(result.json().path("id").asString());
        AnswerEventStream answered = ask(user, chatId, resultId, tools);

        assertThat(answered.text()).isEqualTo("B1 is free at ten.");
        JsonNode conversation = provider.lastChat().body().path("messages");
        List<String> roles = new ArrayList<>();
        conversation.forEach(m -> roles.add(m.path("role").asString()));
        assertThat(roles).containsExactly("user", "assistant", "tool");
        assertThat(conversation.get(1).path("tool_calls").get(0).path("id").asString()).isEqualTo("call_1");
        assertThat(conversation.get(1).path("tool_calls").get(0).path("function").path("arguments").asString())
                .contains("\"B1\"");
        assertThat(conversation.get(2).path("tool_call_id").asString()).isEqualTo("call_1");
        assertThat(conversation.get(2).path("content").asString()).contains("bookings");
        assertThat(message(user, chatId, answerId(answered)).path("answer").path("toolCalls").size()).isZero();
    }

    @Test
    void regeneratingAnAnswerOffersItsToolsAgain() {
        TestUsers.Account user = userWithKey();
        Api.Response created = create(user, Map.of("content", "Is room B1 free?"));
        UUID chatId = UUID.fromString(created.json().path("chat").path("id").asString());
        UUID questionId = UUID.fromString(created.json().path("messages").get(0).path("message").path("id")
                .asString());
        provider.enqueue(FakeChatServer.Script.text("Let me check."), FakeChatServer.Script.text("Checking."));
        UUID answerId = answerId(ask(user, chatId, questionId, Map.of("tools", Map.of("functions",
                List.of(SCHEDULE)))));

        AnswerEventStream again = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + chatId
                + "/messages/" + answerId + "/regenerate", "{}", user.token());
        again.awaitEnd(WAIT);

        assertThat(again.text()).isEqualTo("Checking.");
        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("tools").get(0).path("function").path("name").asString()).isEqualTo("room_schedule");
        assertThat(sent.path("tool_choice").isMissingNode()).as("auto: the provider's default").isTrue();
    }

    @Test
    void toolResultsMustAnswerAnUnansweredCallOfTheAnswerTheyFollow() {
        TestUsers.Account user = userWithKey();
        Api.Response created = create(user, Map.of("content", "Are B1 and B2 free?"));
        UUID chatId = UUID.fromString(created.json().path("chat").path("id").asString());
        UUID questionId = UUID.fromString(created.json().path("messages").get(0).path("message").path("id")
                .asString());
        provider.enqueue(FakeChatServer.Script.text("").withToolCall("call_1", "room_schedule",
                "{\"room\":\"B1\"}"));
        UUID answerId = answerId(ask(user, chatId, questionId, Map.of("tools", Map.of("functions",
                List.of(SCHEDULE)))));

        assertInvalid(add(user, chatId, Map.of("parentId", answerId, "role", "tool", "content", "{}")),
                "toolCallId");
        assertInvalid(add(user, chatId, Map.of("parentId", answerId, "role", "tool", "toolCallId", "call_9",
                "content", "{}")), "toolCallId");
        assertInvalid(add(user, chatId, Map.of("parentId", questionId, "role", "tool", "toolCallId", "call_1",
                "content", "{}")), "toolCallId");
        assertInvalid(add(user, chatId, Map.of("parentId", answerId, "toolCallId", "call_1", "content", "hi")),
                "toolCallId");
        assertInvalid(create(user, Map.of("role", "tool", "toolCallId", "call_1", "content", "{}")), "toolCallId");
        Api.Response first = add(user, chatId, Map.of("parentId", answerId, "role", "tool", "toolCallId", "call_1",
                "content", "{\"bookings\": []}"));
        assertThat(first.status()).as(first.text()).isEqualTo(201);
        assertInvalid(add(user, chatId, Map.of("parentId", first.json().path("id").asString(), "role", "tool",
                "toolCallId", "call_1", "content", "{}")), "answered already");
        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count())
                .as("no check reached the provider").isEqualTo(1);
    }

    @Test
    void invalidToolsAreRefusedBeforeAnythingIsCalled() {
        TestUsers.Account user = userWithKey();
        Api.Response created = create(user, Map.of("content", "Hi"));
        String path = Chats.CHATS + "/" + created.json().path("chat").path("id").asString() + "/answers";
        String questionId = created.json().path("messages").get(0).path("message").path("id").asString();
        List<Map<String, Object>> invalid = List.of(
                Map.of("functions", List.of(SCHEDULE, SCHEDULE)),
                Map.of("functions", List.of(SCHEDULE), "toolChoice", "another_tool"),
                Map.of("functions", List.of(Map.of("name", "bad name"))),
                Map.of("functions", List.of(Map.of("name", "f", "parameters", List.of("not", "an", "object")))),
                Map.of("functions", List.of()));
        for (Map<String, Object> tools : invalid) {
            Api.Response refused = api.post(path, Map.of("questionId", questionId, "model", connection.name() + "/m",
                    "tools", tools), user.token());
            assertThat(refused.status()).as(tools + ": " + refused.text()).isEqualTo(400);
            assertThat(refused.json().path("code").asString()).isEqualTo("validation_failed");
        }
        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count()).isZero();
    }
}
