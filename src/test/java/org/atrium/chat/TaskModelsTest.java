package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.EventStreamClient;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Task models: chat titles by {@code gemini-2.5-flash-lite} when it is in the caller's catalogue (and only then), a
 * title the user set never replaced, answers never delayed or broken by the title call; autocompletion off by
 * default, on by a group's setting, within its latency limit or not at all. The answers come from an OpenAI-format
 * fake, the task model from a Gemini-format fake (its real wire format), so each one's calls are counted apart.
 */
class TaskModelsTest extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TITLE_MODEL = "gemini-2.5-flash-lite";

    private FakeChatServer answers;
    private FakeChatServer gemini;
    private TestUsers.Account admin;
    private String answerConnection;
    private String geminiConnection;
    private final java.util.List<String> connectionIds = new java.util.ArrayList<>();
    private Chats chats;

    @BeforeEach
    void startProviders() {
        admin = users.admin();
        chats = new Chats(api);
        answers = FakeChatServer.start().models("m");
        gemini = FakeChatServer.start().models(TITLE_MODEL, "gemini-2.5-pro");
        answerConnection = connection("ans", "openai", answers.openAiBaseUrl());
        geminiConnection = connection("gem", "gemini", gemini.geminiBaseUrl());
    }

    @AfterEach
    void stopProviders() {
        connectionIds.forEach(id -> api.delete("/api/v1/connections/" + id, admin.token()));
        answers.close();
        gemini.close();
    }

    private String connection(String prefix, String kind, String baseUrl) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", name, "kind", kind, "baseUrl", baseUrl),
                admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionIds.add(created.json().path("id").asString());
        return name;
    }

    /** A user with keys for both connections: the title model is in their catalogue. */
    private TestUsers.Account user() {
        TestUsers.Account user = users.user();
        key(user, answerConnection);
        key(user, geminiConnection);
        return user;
    }

    private void key(TestUsers.Account user, String connection) {
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key",
                "name", "mine-" + connection, "secret", "sk-mine-0123456789abcdef"), user.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
    }

    /** A chat (untitled when {@code title} is null) with one question; @return chat id and question id */
    private UUID[] question(TestUsers.Account user, String title, String text) {
        JsonNode thread = chats.create(user, title, text);
        return new UUID[]{UUID.fromString(thread.path("chat").path("id").asString()), Chats.branch(thread).getFirst()};
    }

    /** Asks for an answer and waits for its end. @return the end event */
    private JsonNode answer(TestUsers.Account user, UUID chatId, UUID questionId) {
        try (AnswerEventStream stream = AnswerEventStream.open(api.baseUrl(), "POST",
                Chats.CHATS + "/" + chatId + "/answers", AnswerEventStream.json(Map.of("questionId", questionId,
                        "model", answerConnection + "/m")), user.token())) {
            assertThat(stream.status()).as(stream.problem().toString()).isEqualTo(200);
            return stream.awaitEnd(WAIT);
        }
    }

    private UUID tip(TestUsers.Account user, UUID chatId) {
        return UUID.fromString(chats.thread(user, chatId).path("chat").path("currentMessageId").asString());
    }

    private String title(TestUsers.Account user, UUID chatId) {
        return chats.thread(user, chatId).path("chat").path("title").asString();
    }

    private static long chatCalls(FakeChatServer server) {
        return server.requests().stream().filter(r -> r.method().equals("POST")).count();
    }

    private UUID groupWith(TestUsers.Account member, Map<String, Object> settings) {
        UUID group = users.group(admin, "tasks");
        users.member(admin, group, member, "member");
        Api.Response put = api.put("/api/v1/groups/" + group + "/settings", Map.of("settings", settings),
                admin.token());
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        return group;
    }

    private Api.Response autocomplete(TestUsers.Account user, Map<String, Object> body) {
        return api.post("/api/v1/autocompletions", body, user.token());
    }

    // ---- titles

    @Test
    void anUntitledChatGetsATitleFromGeminiFlashLiteAfterItsFirstAnswerAndOnlyThen() {
        TestUsers.Account user = user();
        UUID[] q = question(user, null, "Which rooms need lab coats?");
        answers.enqueue(FakeChatServer.Script.text("Rooms B1 to B4.").withUsage(10, 5));
        gemini.enqueue(FakeChatServer.Script.text("Title: \"Lab coat rules.\"\nsecond line").withUsage(30, 4));

        try (EventStreamClient live = EventStreamClient.open(api.baseUrl(), user.token());
             EventStreamClient someoneElse = EventStreamClient.open(api.baseUrl(), users.user().token())) {
            live.awaitEvent("ready", 0, WAIT);
            someoneElse.awaitEvent("ready", 0, WAIT);
            assertThat(answer(user, q[0], q[1]).path("status").asString()).isEqualTo("complete");

            // The owner's open streams are told, with the title saved; nobody else's.
            live.awaitEvent("chat.titled", 0, WAIT);
            JsonNode titled = live.data("chat.titled").getFirst();
            assertThat(titled.path("chatId").asString()).isEqualTo(q[0].toString());
            assertThat(titled.path("title").asString()).isEqualTo("Lab coat rules");
            assertThat(someoneElse.data("chat.titled")).isEmpty();
        }
        assertThat(title(user, q[0])).isEqualTo("Lab coat rules");
        FakeChatServer.Received call = gemini.lastChat();
        assertThat(call.path()).contains("/models/" + TITLE_MODEL + ":streamGenerateContent");
        assertThat(call.body().toString()).contains("Which rooms need lab coats?").contains("Rooms B1 to B4.");
        assertThat(call.body().path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(40);

        // A second exchange of a titled chat asks for no title; nor does one of a chat renamed to empty later on.
        UUID second = chats.ask(user, q[0], tip(user, q[0]), "And goggles?");
        assertThat(api.patch(Chats.CHATS + "/" + q[0], Map.of("title", ""), user.token()).status()).isEqualTo(200);
        answer(user, q[0], second);
        pause(Duration.ofMillis(800));
        assertThat(chatCalls(gemini)).as("title calls").isEqualTo(1);
        assertThat(title(user, q[0])).isEmpty();
    }

    @Test
    void titlesAreOffWhenNoModelWithTheTitleModelsIdIsInTheCatalogueAndNoOtherModelIsPicked() {
        gemini.models("gemini-2.0-flash", "gemini-2.5-pro");
        TestUsers.Account user = user();
        UUID[] q = question(user, null, "Which rooms need lab coats?");

        assertThat(answer(user, q[0], q[1]).path("status").asString()).isEqualTo("complete");
        pause(Duration.ofMillis(1500));

        assertThat(title(user, q[0])).isEmpty();
        assertThat(chatCalls(gemini)).as("calls to the Gemini connection").isZero();
        assertThat(chatCalls(answers)).as("calls to the answer's connection: the answer only").isEqualTo(1);
        Api.Response now = api.post(Chats.CHATS + "/" + q[0] + "/title", null, user.token());
        assertThat(now.status()).as(now.text()).isEqualTo(422);
        assertThat(now.json().path("code").asString()).isEqualTo("title_model_unavailable");
        assertThat(chatCalls(gemini)).isZero();
    }

    @Test
    void aTitleTheUserSetIsNeverReplacedNeitherBeforeTheAnswerNorWhileTheTitleIsWritten() {
        TestUsers.Account user = user();
        UUID[] titled = question(user, "My own title", "Which rooms need lab coats?");
        answer(user, titled[0], titled[1]);
        pause(Duration.ofMillis(800));
        assertThat(title(user, titled[0])).isEqualTo("My own title");
        assertThat(chatCalls(gemini)).as("no title call for a titled chat").isZero();

        UUID[] racing = question(user, null, "And goggles?");
        gemini.enqueue(FakeChatServer.Script.text("Goggle rules").slowStart(Duration.ofMillis(1500)));
        answer(user, racing[0], racing[1]);
        awaitTrue(() -> chatCalls(gemini) == 1, "the title call started");
        Api.Response renamed = api.patch(Chats.CHATS + "/" + racing[0], Map.of("title", "Renamed by me"),
                user.token());
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        awaitTrue(() -> gemini.completed() == 1, "the title call ended");
        pause(Duration.ofMillis(500));
        assertThat(title(user, racing[0])).isEqualTo("Renamed by me");
    }

    @Test
    void aSlowTitleModelDelaysNeitherTheAnswerNorItsEndAndAFailingOneBreaksNothing() {
        TestUsers.Account user = user();
        UUID[] slow = question(user, null, "Which rooms need lab coats?");
        gemini.enqueue(FakeChatServer.Script.text("Lab coats").slowStart(Duration.ofSeconds(3)));
        long started = System.nanoTime();
        JsonNode end = answer(user, slow[0], slow[1]);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(end.path("status").asString()).isEqualTo("complete");
        assertThat(took).as("the end event does not wait for the title").isLessThan(Duration.ofSeconds(3));
        // A second answer can start at once: the first one's slot was freed without waiting either.
        UUID next = chats.ask(user, slow[0], tip(user, slow[0]), "And goggles?");
        assertThat(answer(user, slow[0], next).path("status").asString()).isEqualTo("complete");
        awaitTrue(() -> title(user, slow[0]).equals("Lab coats"), "the slow title arrives later");

        UUID[] failing = question(user, null, "Where is the eye wash?");
        gemini.enqueue(FakeChatServer.Script.failure(400));
        JsonNode ended = answer(user, failing[0], failing[1]);
        assertThat(ended.path("status").asString()).isEqualTo("complete");
        awaitTrue(() -> chatCalls(gemini) >= 2, "the failing title call was made");
        pause(Duration.ofMillis(500));
        assertThat(title(user, failing[0])).isEmpty();
        JsonNode saved = chats.thread(user, failing[0]).path("messages").get(1).path("message");
        assertThat(saved.path("status").asString()).isEqualTo("complete");
        assertThat(saved.path("content").asString()).isEqualTo("Hello from the fake");
    }

    @Test
    void aTitleThatTakesLongerThanTheLimitIsGivenUpAndTheChatKeepsNoTitle() {
        TestUsers.Account user = user();
        UUID[] q = question(user, null, "Which rooms need lab coats?");
        // IntegrationTest sets the limit to 6 s; the title would come 8 s after the call starts.
        gemini.enqueue(FakeChatServer.Script.text("Too late").slowStart(Duration.ofSeconds(8)));
        answer(user, q[0], q[1]);
        awaitTrue(() -> chatCalls(gemini) == 1, "the title call started");
        pause(Duration.ofMillis(9_000));
        assertThat(title(user, q[0])).as("no title after the 6 s limit").isEmpty();
    }

    @Test
    void aTitleOnRequestReplacesTheTitleAndIsRefusedClearlyWhenTitlesAreOff() {
        TestUsers.Account user = user();
        UUID[] q = question(user, "Old title", "Which rooms need lab coats?");
        gemini.enqueue(FakeChatServer.Script.text("Lab coats in B rooms"));
        Api.Response titled = api.post(Chats.CHATS + "/" + q[0] + "/title", null, user.token());
        assertThat(titled.status()).as(titled.text()).isEqualTo(200);
        assertThat(titled.json().path("title").asString()).isEqualTo("Lab coats in B rooms");
        assertThat(title(user, q[0])).isEqualTo("Lab coats in B rooms");

        Api.Response others = api.post(Chats.CHATS + "/" + q[0] + "/title", null, user().token());
        assertThat(others.status()).isEqualTo(404);
        assertThat(others.json().path("code").asString()).isEqualTo("chat_not_found");

        UUID empty = chats.chat(user, null);
        Api.Response nothing = api.post(Chats.CHATS + "/" + empty + "/title", null, user.token());
        assertThat(nothing.status()).as(nothing.text()).isEqualTo(409);
        assertThat(nothing.json().path("code").asString()).isEqualTo("chat_empty");

        groupWith(user, Map.of("features.titleGeneration", false));
        Api.Response off = api.post(Chats.CHATS + "/" + q[0] + "/title", null, user.token());
        assertThat(off.status()).as(off.text()).isEqualTo(409);
        assertThat(off.json().path("code").asString()).isEqualTo("title_generation_disabled");
        UUID[] untitled = question(user, null, "Where is the eye wash?");
        answer(user, untitled[0], untitled[1]);
        pause(Duration.ofMillis(800));
        assertThat(title(user, untitled[0])).isEmpty();
        assertThat(chatCalls(gemini)).as("only the requested title was asked for").isEqualTo(1);
    }

    @Test
    void anAdminMayChooseAnotherTitleModelByItsCatalogueId() {
        TestUsers.Account user = user();
        groupWith(user, Map.of("features.titleModel", answerConnection + "/m"));
        UUID[] q = question(user, null, "Which rooms need lab coats?");
        answers.enqueue(FakeChatServer.Script.text("Rooms B1 to B4."), FakeChatServer.Script.text("Coats"));
        answer(user, q[0], q[1]);
        awaitTrue(() -> title(user, q[0]).equals("Coats"), "the title from the chosen model");
        assertThat(chatCalls(gemini)).isZero();
    }

    // ---- autocompletion

    @Test
    void autocompletionIsOffByDefaultWithAClearProblemAndNoCall() {
        TestUsers.Account user = user();
        Api.Response refused = autocomplete(user, Map.of("text", "Which rooms"));
        assertThat(refused.status()).as(refused.text()).isEqualTo(403);
        assertThat(refused.json().path("code").asString()).isEqualTo("autocompletion_disabled");
        assertThat(chatCalls(gemini)).isZero();
    }

    @Test
    void aGroupThatEnablesAutocompletionGetsSuggestionsFromTheTaskModelWithTheChatAsContext() {
        TestUsers.Account user = user();
        groupWith(user, Map.of("features.autocompletion", true));
        UUID[] q = question(user, "Safety", "Where is the eye wash station?");
        gemini.enqueue(FakeChatServer.Script.text(" need lab coats?\u0007").withUsage(20, 4));

        Map<String, Object> body = new HashMap<>();
        body.put("text", "Which rooms");
        body.put("chatId", q[0]);
        Api.Response suggested = autocomplete(user, body);

        assertThat(suggested.status()).as(suggested.text()).isEqualTo(200);
        assertThat(suggested.json().path("completion").asString()).isEqualTo(" need lab coats?");
        assertThat(suggested.json().path("model").asString()).isEqualTo(geminiConnection + "/" + TITLE_MODEL);
        FakeChatServer.Received call = gemini.lastChat();
        assertThat(call.body().toString()).contains("Which rooms").contains("Where is the eye wash station?");
        assertThat(call.body().path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(32);

        Api.Response tooLong = autocomplete(user, Map.of("text", "x".repeat(Autocompletion.MAX_TEXT_LENGTH + 1)));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().path("code").asString()).isEqualTo("validation_failed");
        Api.Response othersChat = autocomplete(user, Map.of("text", "Which", "chatId", UUID.randomUUID()));
        assertThat(othersChat.status()).isEqualTo(404);
        assertThat(othersChat.json().path("code").asString()).isEqualTo("chat_not_found");
        Api.Response unknownModel = autocomplete(user, Map.of("text", "Which", "model", "none/none"));
        assertThat(unknownModel.status()).isEqualTo(404);
        assertThat(unknownModel.json().path("code").asString()).isEqualTo("model_not_found");
        assertThat(chatCalls(gemini)).as("refused requests make no call").isEqualTo(1);
    }

    @Test
    void aSlowModelGetsNoContentWithinTheLatencyLimitAndAMissingTaskModelAClearProblem() {
        TestUsers.Account user = user();
        groupWith(user, Map.of("features.autocompletion", true));
        autocomplete(user, Map.of("text", "warm up the catalogue")); // the first catalogue read fetches the lists
        gemini.enqueue(FakeChatServer.Script.text(" too late").slowStart(Duration.ofSeconds(3)));

        long started = System.nanoTime();
        Api.Response late = autocomplete(user, Map.of("text", "Which rooms"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(late.status()).as(late.text()).isEqualTo(204);
        assertThat(took).as("answered at the 1 s limit").isLessThan(Duration.ofMillis(1_800))
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));

        TestUsers.Account without = users.user();
        key(without, answerConnection);
        groupWith(without, Map.of("features.autocompletion", true));
        Api.Response none = autocomplete(without, Map.of("text", "Which rooms"));
        assertThat(none.status()).as(none.text()).isEqualTo(422);
        assertThat(none.json().path("code").asString()).isEqualTo("autocompletion_model_unavailable");
        Api.Response named = autocomplete(without, Map.of("text", "Which rooms", "model", answerConnection + "/m"));
        assertThat(named.status()).as(named.text()).isEqualTo(200);
        assertThat(named.json().path("completion").asString()).isEqualTo("Hello from the fake");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            pause(Duration.ofMillis(50));
        }
        throw new AssertionError("not within " + WAIT + ": " + what);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
