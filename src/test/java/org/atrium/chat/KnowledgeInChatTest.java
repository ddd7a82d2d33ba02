package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Knowledge in chat, over real HTTP: answers grounded on the collections and files attached to the conversation,
 * with citations streamed and stored; retrieval queries from the task model, with its limit, fallbacks, skips, cache
 * and breaker; access checked at answer time.
 */
class KnowledgeInChatTest extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TASK_MODEL = "gemini-2.5-flash-lite";
    private static final String KIWI_TEXT = "Kiwi vines climb the trellis in the north orchard.";
    private static final String MANGO_TEXT = "Mango trees flower in the south greenhouse.";
    /** Long enough, and two sentences: never skips query generation. */
    private static final String LONG_QUESTION = "We planted several fruits this spring. Which of the kiwi plants"
            + " climb, and where do they grow?";

    @Autowired
    private QueryGeneration queryGeneration;

    private FakeChatServer provider;
    private TestUsers.Account admin;
    private TestUsers.Account user;
    private UUID group;
    private UUID collection;
    private UUID kiwiFile;
    private UUID mangoFile;
    private String connectionId;
    private String connection;
    private Chats chats;
    private Knowledge knowledge;

    @BeforeEach
    void setUp() {
        chats = new Chats(api);
        knowledge = new Knowledge(api);
        provider = FakeChatServer.start();
        provider.models("m", TASK_MODEL);
        admin = users.admin();
        connection = "kn-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionId = created.json().path("id").asString();

        group = users.group(admin, "kn");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        // Titles would be a second kind of call to the task model, made after each answer: off here.
        Api.Response current = api.get("/api/v1/groups/" + group + "/settings", admin.token());
        tools.jackson.databind.node.ObjectNode settings = ((tools.jackson.databind.node.ObjectNode)
                current.json().path("settings")).deepCopy();
        settings.put("features.titleGeneration", false);
        assertThat(api.put("/api/v1/groups/" + group + "/settings", Map.of("settings", settings), admin.token())
                .status()).isEqualTo(200);
        knowledge.addGroupCredential(admin, group, "fake", "sk-kn-secret-1234");
        user = member();
        collection = knowledge.groupCollection(admin, group, "Orchard notes");
        kiwiFile = readyFile(admin, collection, "kiwi.txt", KIWI_TEXT);
        mangoFile = readyFile(admin, collection, "mango.txt", MANGO_TEXT);
    }

    @AfterEach
    void tearDown() {
        api.delete("/api/v1/connections/" + connectionId, admin.token());
        provider.close();
    }

    @Test
    void anAnswerOnAnAttachedCollectionCitesItsPassagesAndAShortFirstQuestionSkipsQueryGeneration() {
        UUID[] q = question(user, "Where do kiwi vines climb?", List.of(collection), List.of());
        provider.enqueue(FakeChatServer.Script.text("On the trellis [1]."));

        JsonNode end;
        UUID answerId;
        try (AnswerEventStream stream = ask(user, q[0], q[1])) {
            end = stream.awaitEnd(WAIT);
            answerId = UUID.fromString(stream.events().getFirst().data().path("messageId").asString());
        }

        assertThat(end.path("status").asString()).as(end.toString()).isEqualTo("complete");
        JsonNode citations = end.path("citations");
        assertThat(citations.size()).isBetween(1, 8);
        JsonNode first = citations.get(0);
        assertThat(first.path("fileId").asString()).isEqualTo(kiwiFile.toString());
        assertThat(first.path("collectionId").asString()).isEqualTo(collection.toString());
        assertThat(first.path("chunkIndex").asInt()).isZero();
        assertThat(first.path("startChar").asInt()).isZero();
        assertThat(first.path("endChar").asInt()).isEqualTo(KIWI_TEXT.length());
        assertThat(first.path("score").asDouble()).isPositive();
        JsonNode stored = message(user, q[0], answerId).path("answer").path("citations");
        assertThat(stored).isEqualTo(citations);
        String system = answerPrompt();
        assertThat(system).contains(KIWI_TEXT).contains("<source id=\"1\" name=\"kiwi.txt\">")
                .contains("Where do kiwi vines climb?");
        assertThat(taskCalls()).as("a short first question is its own query").isZero();
    }

    @Test
    void theAnswerToToolResultsIsGroundedOnThePersonsLastQuestion() {
        UUID[] q = question(user, "Where do kiwi vines climb?", List.of(collection), List.of());
        provider.enqueue(FakeChatServer.Script.text("").withToolCall("call_1", "garden_map", "{}"),
                FakeChatServer.Script.text("On the trellis by the shed [1]."));
        String body = AnswerEventStream.json(Map.of("questionId", q[1], "model", connection + "/m", "tools",
                Map.of("functions", List.of(Map.of("name", "garden_map")))));
        UUID answerId;
        try (AnswerEventStream calling = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + q[0]
                + "/answers", body, user.token())) {
            assertThat(calling.awaitEnd(WAIT).path("toolCalls").size()).isEqualTo(1);
            answerId = UUID.fromString(calling.events().getFirst().data().path("messageId").asString());
        }
        Api.Response result = api.post(Chats.CHATS + "/" + q[0] + "/messages", Map.of("parentId", answerId,
                "role", "tool", "toolCallId", "call_1", "content", "The shed is north."), user.token());
        assertThat(result.status()).as(result.text()).isEqualTo(201);

        JsonNode end = answer(new UUID[]{q[0], UUID.fromString(result.json().path("id").asString())});

        assertThat(end.path("citations").get(0).path("fileId").asString()).as("retrieved for the question")
                .isEqualTo(kiwiFile.toString());
        assertThat(answerPrompt()).contains(KIWI_TEXT);
    }

    @Test
    void generatedQueriesAreUsedAndCachedForTheSameConversation() {
        provider.enqueue(FakeChatServer.Script.text("{\"queries\": [\"mango greenhouse\"]}"),
                FakeChatServer.Script.text("In the south greenhouse [1]."));
        JsonNode end = answer(question(user, LONG_QUESTION, List.of(collection), List.of()));

        assertThat(taskCalls()).isEqualTo(1);
        assertThat(end.path("citations").get(0).path("fileId").asString()).as("found with the generated query")
                .isEqualTo(mangoFile.toString());
        JsonNode taskRequest = taskRequests().getFirst().body();
        assertThat(taskRequest.path("messages").toString()).contains("kiwi plants");

        provider.enqueue(FakeChatServer.Script.text("Again [1]."));
        JsonNode again = answer(question(user, LONG_QUESTION, List.of(collection), List.of()));

        assertThat(taskCalls()).as("the same conversation: queries from the cache").isEqualTo(1);
        assertThat(again.path("citations").get(0).path("fileId").asString()).isEqualTo(mangoFile.toString());
    }

    @Test
    void aSlowTaskModelFallsBackToTheUsersMessageWithinTheLimit() {
        Duration previous = queryGeneration.limit(Duration.ofMillis(400));
        try {
            provider.enqueue(FakeChatServer.Script.text("{\"queries\": [\"mango\"]}").slowStart(Duration.ofSeconds(4)),
                    FakeChatServer.Script.text("Kiwi [1]."));
            long started = System.nanoTime();
            JsonNode end = answer(question(user, LONG_QUESTION, List.of(collection), List.of()));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3500));
            assertThat(end.path("status").asString()).isEqualTo("complete");
            assertThat(taskCalls()).isEqualTo(1);
            assertThat(end.path("citations").get(0).path("fileId").asString()).as("the user's message was the query")
                    .isEqualTo(kiwiFile.toString());
        } finally {
            queryGeneration.limit(previous);
        }
    }

    @Test
    void aFailingTaskModelFallsBackToTheUsersMessage() {
        provider.enqueue(FakeChatServer.Script.failure(400), FakeChatServer.Script.text("Kiwi [1]."));

        JsonNode end = answer(question(user, LONG_QUESTION, List.of(collection), List.of()));

        assertThat(end.path("status").asString()).isEqualTo("complete");
        assertThat(taskCalls()).isEqualTo(1);
        assertThat(end.path("citations").get(0).path("fileId").asString()).isEqualTo(kiwiFile.toString());
    }

    @Test
    void anUnusableTaskAnswerFallsBackToTheUsersMessage() {
        provider.enqueue(FakeChatServer.Script.text("Sure! Here are some queries: mango"),
                FakeChatServer.Script.text("Kiwi [1]."));

        JsonNode end = answer(question(user, LONG_QUESTION, List.of(collection), List.of()));

        assertThat(taskCalls()).isEqualTo(1);
        assertThat(end.path("citations").get(0).path("fileId").asString()).isEqualTo(kiwiFile.toString());
    }

    @Test
    void theBreakerSkipsATaskModelThatKeepsFailing() {
        for (int i = 0; i < 4; i++) {
            provider.enqueue(FakeChatServer.Script.failure(400), FakeChatServer.Script.text("Kiwi [1]."));
            answer(question(user, LONG_QUESTION + " Attempt " + i + ".", List.of(collection), List.of()));
        }
        assertThat(taskCalls()).isEqualTo(4);

        provider.enqueue(FakeChatServer.Script.text("Kiwi [1]."));
        JsonNode end = answer(question(user, LONG_QUESTION + " Once more.", List.of(collection), List.of()));

        assertThat(taskCalls()).as("the breaker is open: the task model is not called").isEqualTo(4);
        assertThat(end.path("status").asString()).isEqualTo("complete");
        assertThat(end.path("citations").get(0).path("fileId").asString()).isEqualTo(kiwiFile.toString());
    }

    @Test
    void withoutTheTitleModelInTheCatalogueNoQueryIsGenerated() {
        provider.models("m");
        // A list is kept per connection and credential: the newcomer's own key is listed now, without the model.
        TestUsers.Account newcomer = member();
        provider.enqueue(FakeChatServer.Script.text("Kiwi [1]."));

        JsonNode end = answer(newcomer, question(newcomer, LONG_QUESTION, List.of(collection), List.of()));

        assertThat(end.path("status").asString()).isEqualTo("complete");
        assertThat(taskCalls()).as("no other model is picked").isZero();
        assertThat(end.path("citations").get(0).path("fileId").asString()).isEqualTo(kiwiFile.toString());
    }

    @Test
    void aCollectionTheCallerNoLongerReadsIsSkippedAndTheAnswerGoesOn() {
        TestUsers.Account owner = member();
        UUID own = knowledge.personalCollection(owner, "Private saffron");
        UUID saffron = readyFile(owner, own, "saffron.txt", "Saffron crocus bulbs rest in the cellar.");
        Api.Response granted = api.put("/api/v1/collections/" + own + "/grants/users/" + user.id(),
                Map.of("access", "read"), owner.token());
        assertThat(granted.status()).as(granted.text()).isEqualTo(200);
        UUID[] q = question(user, "Where do saffron and kiwi rest?", List.of(own, collection), List.of());
        Api.Response revoked = api.delete("/api/v1/collections/" + own + "/grants/users/" + user.id(),
                owner.token());
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(204);
        provider.enqueue(FakeChatServer.Script.text("Kiwi [1]."));

        JsonNode end = answer(q);

        assertThat(end.path("status").asString()).isEqualTo("complete");
        assertThat(end.path("citations").size()).isPositive();
        for (JsonNode citation : end.path("citations")) {
            assertThat(citation.path("fileId").asString()).isNotEqualTo(saffron.toString());
            assertThat(citation.path("collectionId").asString()).isEqualTo(collection.toString());
        }
        assertThat(answerPrompt()).doesNotContain("Saffron crocus").contains(KIWI_TEXT);
    }

    @Test
    void aFileAttachedAloneIsSearchedAloneAndCitedWithoutACollection() {
        UUID[] q = question(user, "Which mango plants flower?", List.of(), List.of(mangoFile));
        provider.enqueue(FakeChatServer.Script.text("Mango [1]."));

        JsonNode citations = answer(q).path("citations");

        assertThat(citations.size()).isEqualTo(1);
        assertThat(citations.get(0).path("fileId").asString()).isEqualTo(mangoFile.toString());
        JsonNode collectionId = citations.get(0).path("collectionId");
        assertThat(collectionId.isNull() || collectionId.isMissingNode()).as(collectionId.toString()).isTrue();
        assertThat(answerPrompt()).contains(MANGO_TEXT).doesNotContain(KIWI_TEXT);
    }

    @Test
    void theGroupsPromptTemplateShapesThePrompt() {
        Api.Response current = api.get("/api/v1/groups/" + group + "/settings", admin.token());
        Map<String, Object> settings = new LinkedHashMap<>();
        current.json().path("settings").properties().forEach(e -> settings.put(e.getKey(), e.getValue()));
        settings.put("knowledge.promptTemplate", "FACTS>> {{CONTEXT}} <<FACTS QUESTION>> {{QUERY}}");
        Api.Response changed = api.put("/api/v1/groups/" + group + "/settings", Map.of("settings", settings),
                admin.token());
        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        Api.Response tooLong = api.put("/api/v1/groups/" + group + "/settings", Map.of("settings",
                Map.of("knowledge.promptTemplate", "x".repeat(8_001))), admin.token());
        assertThat(tooLong.status()).as(tooLong.text()).isEqualTo(400);
        provider.enqueue(FakeChatServer.Script.text("Kiwi [1]."));

        answer(question(user, "Where do kiwi vines climb?", List.of(collection), List.of()));

        assertThat(answerPrompt()).startsWith("FACTS>> <source id=\"1\"").contains(KIWI_TEXT)
                .endsWith("<<FACTS QUESTION>> Where do kiwi vines climb?");
    }

    @Test
    void aUserWhoTurnedQueryGenerationOffIsNeverSentToTheTaskModel() {
        Api.Response off = api.put("/api/v1/me/settings", Map.of("settings",
                Map.of("features.queryGeneration", false)), user.token());
        assertThat(off.status()).as(off.text()).isEqualTo(200);
        provider.enqueue(FakeChatServer.Script.text("Kiwi [1]."));

        JsonNode end = answer(question(user, LONG_QUESTION, List.of(collection), List.of()));

        assertThat(taskCalls()).isZero();
        assertThat(end.path("citations").get(0).path("fileId").asString()).isEqualTo(kiwiFile.toString());
    }

    @Test
    void knowledgeAttachedEarlierInTheBranchGroundsAFollowUpWithQueriesFromTheConversation() {
        UUID[] q = question(user, "Where do kiwi vines climb?", List.of(collection), List.of());
        provider.enqueue(FakeChatServer.Script.text("On the trellis [1]."));
        UUID firstAnswer;
        try (AnswerEventStream stream = ask(user, q[0], q[1])) {
            stream.awaitEnd(WAIT);
            firstAnswer = UUID.fromString(stream.events().getFirst().data().path("messageId").asString());
        }
        Api.Response followUp = api.post(Chats.CHATS + "/" + q[0] + "/messages", Map.of("content", "And the other"
                + " fruit?", "parentId", firstAnswer), user.token());
        assertThat(followUp.status()).as(followUp.text()).isEqualTo(201);
        UUID followUpId = UUID.fromString(followUp.json().path("id").asString());
        provider.enqueue(FakeChatServer.Script.text("{\"queries\": [\"mango\"]}"),
                FakeChatServer.Script.text("In the greenhouse [1]."));

        JsonNode end = answer(new UUID[]{q[0], followUpId});

        assertThat(taskCalls()).as("not the first question: queries are generated").isEqualTo(1);
        assertThat(taskRequests().getFirst().body().path("messages").toString())
                .contains("Where do kiwi vines climb?").contains("On the trellis [1].").contains("And the other fruit?");
        assertThat(end.path("citations").get(0).path("fileId").asString()).isEqualTo(mangoFile.toString());
    }

    @Test
    void atMostEightPassagesAreCited() {
        UUID big = knowledge.groupCollection(admin, group, "Big kiwi book");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            text.append("Kiwi chapter ").append(i).append(". ").append("The orchard rows stretch far away. ".repeat(12))
                    .append("\n\n");
        }
        readyFile(admin, big, "book.txt", text.toString());
        provider.enqueue(FakeChatServer.Script.text("Many [1]."));

        JsonNode citations = answer(question(user, "Kiwi chapters?", List.of(big), List.of())).path("citations");

        assertThat(citations.size()).isEqualTo(8);
        assertThat(answerPrompt()).contains("<source id=\"8\"").doesNotContain("<source id=\"9\"");
    }

    @Test
    void aRetrievalThatFailsLeavesTheAnswerUngroundedButComplete() {
        String marker = "zq" + UUID.randomUUID().toString().substring(0, 8);
        EMBEDDINGS.failWhenInputContains(marker, 400);
        try {
            provider.enqueue(FakeChatServer.Script.text("From memory."));

            JsonNode end = answer(question(user, "Kiwi " + marker + "?", List.of(collection), List.of()));

            assertThat(end.path("status").asString()).isEqualTo("complete");
            assertThat(end.path("citations").isEmpty()).isTrue();
            assertThat(provider.lastChat().body().path("messages").toString()).doesNotContain("<context>")
                    .doesNotContain(KIWI_TEXT);
        } finally {
            EMBEDDINGS.stopFailingWhenInputContains(marker);
        }
    }

    @Test
    void anAnswerThroughAPresetIsGroundedOnItsDefaultKnowledge() {
        Api.Response preset = api.post("/api/v1/presets", Map.of("name", "Orchard helper", "baseModel",
                connection + "/m", "groupId", group, "knowledge", Map.of("collectionIds", List.of(collection))),
                admin.token());
        assertThat(preset.status()).as(preset.text()).isEqualTo(201);
        provider.enqueue(FakeChatServer.Script.text("Kiwi vines climb the trellis [1]."));
        UUID[] q = question(user, "Where do kiwi vines climb?", List.of(), List.of());

        JsonNode end;
        try (AnswerEventStream stream = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + q[0]
                + "/answers", AnswerEventStream.json(Map.of("questionId", q[1], "model",
                preset.json().path("model").asString())), user.token())) {
            assertThat(stream.status()).isEqualTo(200);
            end = stream.awaitEnd(WAIT);
        }

        assertThat(end.path("status").asString()).as(end.toString()).isEqualTo("complete");
        assertThat(end.path("citations").get(0).path("fileId").asString()).as("the preset's collection")
                .isEqualTo(kiwiFile.toString());
        assertThat(answerPrompt()).contains(KIWI_TEXT);
    }

    @Test
    void aQuestionWithoutKnowledgeIsSentAsItWas() {
        provider.enqueue(FakeChatServer.Script.text("Hello."));

        JsonNode end = answer(question(user, LONG_QUESTION, List.of(), List.of()));

        assertThat(end.path("citations").isEmpty()).isTrue();
        assertThat(taskCalls()).isZero();
        JsonNode messages = provider.lastChat().body().path("messages");
        assertThat(messages.toString()).doesNotContain("<context>");
    }

    // ------------------------------------------------------------------ helpers

    private TestUsers.Account member() {
        TestUsers.Account account = users.user();
        users.member(admin, group, account, "member");
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key",
                "name", "mine", "secret", "sk-mine-0123456789abcdef"), account.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
        return account;
    }

    private UUID readyFile(TestUsers.Account uploader, UUID in, String name, String text) {
        UUID fileId = knowledge.upload(uploader, in, name, text.getBytes(StandardCharsets.UTF_8));
        JsonNode settled = knowledge.awaitSettled(uploader, in, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        return fileId;
    }

    /** A chat with one question; @return chat id and question id */
    private UUID[] question(TestUsers.Account account, String text, List<UUID> collectionIds, List<UUID> fileIds) {
        Api.Response created = api.post(Chats.CHATS, Map.of("message", Map.of("content", text,
                "collectionIds", collectionIds, "fileIds", fileIds)), account.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return new UUID[]{UUID.fromString(created.json().path("chat").path("id").asString()),
                Chats.branch(created.json()).getFirst()};
    }

    private AnswerEventStream ask(TestUsers.Account account, UUID chatId, UUID questionId) {
        AnswerEventStream stream = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + chatId
                + "/answers", AnswerEventStream.json(Map.of("questionId", questionId, "model", connection + "/m")),
                account.token());
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }

    private JsonNode answer(UUID[] q) {
        return answer(user, q);
    }

    private JsonNode answer(TestUsers.Account account, UUID[] q) {
        try (AnswerEventStream stream = ask(account, q[0], q[1])) {
            JsonNode end = stream.awaitEnd(WAIT);
            assertThat(end.path("status").asString()).as(end.toString()).isEqualTo("complete");
            return end;
        }
    }

    private JsonNode message(TestUsers.Account account, UUID chatId, UUID messageId) {
        Api.Response read = api.get(Chats.CHATS + "/" + chatId + "/messages/" + messageId, account.token());
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        return read.json();
    }

    private List<FakeChatServer.Received> taskRequests() {
        List<FakeChatServer.Received> calls = new ArrayList<>();
        for (FakeChatServer.Received received : provider.requests()) {
            if (received.method().equals("POST") && received.body().path("model").asString().equals(TASK_MODEL)) {
                calls.add(received);
            }
        }
        return calls;
    }

    private int taskCalls() {
        return taskRequests().size();
    }

    /** The system message of the last call to the answering model. */
    private String answerPrompt() {
        FakeChatServer.Received last = provider.requests().reversed().stream()
                .filter(r -> r.method().equals("POST") && r.body().path("model").asString().equals("m"))
                .findFirst().orElseThrow();
        JsonNode first = last.body().path("messages").get(0);
        assertThat(first.path("role").asString()).isEqualTo("system");
        JsonNode content = first.path("content");
        return content.isString() ? content.asString() : content.toString();
    }
}
