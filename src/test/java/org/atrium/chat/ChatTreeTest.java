package org.atrium.chat;

import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveStateResolver;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.atrium.chat.Chats.CHATS;

/** Messages as a tree: edited questions and regenerated answers are siblings; the chat shows one branch. */
class ChatTreeTest extends IntegrationTest {

    @Autowired
    private ChatAnswers answers;

    @Autowired
    private EffectiveStateResolver resolver;

    @Autowired
    private ChatService service;

    private Chats chats;

    @BeforeEach
    void helpers() {
        chats = new Chats(api);
    }

    @Test
    void editingAQuestionAndRegeneratingAnAnswerAddSiblingsAndTheChatShowsTheChosenBranch() {
        TestUsers.Account owner = users.user();
        EffectiveState state = state(owner);
        JsonNode created = chats.create(owner, "Fruit", "Which fruit is green inside?");
        UUID chat = UUID.fromString(created.path("chat").path("id").asString());
        UUID question = Chats.branch(created).getFirst();
        UUID answer = answered(state, chat, question, "Kiwi.");
        UUID followUp = chats.ask(owner, chat, answer, "And orange inside?");
        assertThat(Chats.branch(chats.thread(owner, chat))).containsExactly(question, answer, followUp);

        // Editing the first question: a new first message, sibling of the old one, shown alone.
        UUID edited = chats.ask(owner, chat, null, "Which fruit is orange inside?");
        JsonNode thread = chats.thread(owner, chat);
        assertThat(Chats.branch(thread)).containsExactly(edited);
        JsonNode siblings = thread.path("messages").get(0).path("siblings");
        assertThat(siblings.path("index").asInt()).isEqualTo(1);
        assertThat(siblings.path("count").asInt()).isEqualTo(2);
        assertThat(siblings.path("ids").get(0).asString()).isEqualTo(question.toString());

        // Choosing the old version shows it with what followed it, down to the newest reply.
        Api.Response chosen = api.put(CHATS + "/" + chat + "/branch", Map.of("messageId", question), owner.token());
        assertThat(chosen.status()).as(chosen.text()).isEqualTo(200);
        assertThat(Chats.branch(chosen.json())).containsExactly(question, answer, followUp);
        assertThat(chosen.json().path("chat").path("currentMessageId").asString()).isEqualTo(followUp.toString());

        // Regenerating the answer: a sibling answer, shown; its siblings read "2/2".
        UUID regenerated = answered(state, chat, question, "A kiwi.");
        thread = chats.thread(owner, chat);
        assertThat(Chats.branch(thread)).containsExactly(question, regenerated);
        JsonNode shown = thread.path("messages").get(1);
        assertThat(shown.path("siblings").path("index").asInt()).isEqualTo(1);
        assertThat(shown.path("siblings").path("count").asInt()).isEqualTo(2);
        assertThat(shown.path("message").path("parentId").asString()).isEqualTo(question.toString());
        assertThat(thread.path("chat").path("messageCount").asInt()).isEqualTo(5);

        // The whole tree, paged, oldest first.
        JsonNode all = api.get(CHATS + "/" + chat + "/messages?limit=3", owner.token()).json();
        assertThat(all.path("total").asLong()).isEqualTo(5);
        assertThat(Chats.ids(all)).containsExactly(question, answer, followUp);
        assertThat(Chats.ids(api.get(CHATS + "/" + chat + "/messages?offset=3", owner.token()).json()))
                .containsExactly(edited, regenerated);
    }

    @Test
    void anAnswerIsWrittenInBatchesReadWhileInProgressAndEndsOnce() {
        TestUsers.Account owner = users.user();
        EffectiveState state = state(owner);
        JsonNode created = chats.create(owner, "Streaming", "Tell me about lichen.");
        UUID chat = UUID.fromString(created.path("chat").path("id").asString());
        UUID question = Chats.branch(created).getFirst();

        ChatAnswers.Opened opened = answers.start(state, chat, question,
                AnswerStart.of("fake/model-a", "fake", Map.of("temperature", 0.2)));
        ChatMessage started = opened.answer();
        assertThat(started.status()).isEqualTo(MessageStatus.IN_PROGRESS);
        assertThat(opened.conversation()).as("the conversation answered, read with the start")
                .extracting(ChatMessage::id).containsExactly(question);
        assertThat(answers.append(started.id(), "Lichen is ")).isEqualTo(ChatAnswers.Appended.ALL);
        assertThat(answers.append(started.id(), "a symbiosis\0")).isEqualTo(ChatAnswers.Appended.ALL);

        String path = CHATS + "/" + chat + "/messages/" + started.id();
        JsonNode partial = api.get(path, owner.token()).json();
        assertThat(partial.path("status").asString()).isEqualTo("in_progress");
        assertThat(partial.path("content").asString()).isEqualTo("Lichen is a symbiosis");
        assertThat(partial.path("answer").path("model").asString()).isEqualTo("fake/model-a");
        assertThat(partial.path("answer").path("parameters").path("temperature").asDouble()).isEqualTo(0.2);
        Api.Response underway = api.post(CHATS + "/" + chat + "/messages",
                Map.of("content", "Too soon", "parentId", started.id()), owner.token());
        assertThat(underway.status()).as(underway.text()).isEqualTo(409);
        assertThat(underway.json().path("code").asString()).isEqualTo("answer_in_progress");
        assertThat(Chats.ids(api.get(CHATS + "?q=symbiosis", owner.token()).json()))
                .as("an answer in progress is not searched yet").isEmpty();

        UUID file = UUID.randomUUID();
        ChatMessage ended = answers.finish(started.id(), " of fungi and algae.", AnswerOutcome.complete(
                new TokenUsage(120, 9, false), new AnswerTimings(80, 450),
                List.of(new Citation(file, null, 2, 10, 90, 0.75)), List.of()));
        assertThat(ended.status()).isEqualTo(MessageStatus.COMPLETE);
        assertThat(answers.finish(started.id(), "ignored", AnswerOutcome.stopped(null, null, List.of())).status())
                .as("the first outcome stays").isEqualTo(MessageStatus.COMPLETE);
        assertThat(answers.append(started.id(), "late")).isEqualTo(ChatAnswers.Appended.NOT_IN_PROGRESS);

        JsonNode read = api.get(path, owner.token()).json();
        assertThat(read.path("content").asString()).isEqualTo("Lichen is a symbiosis of fungi and algae.");
        assertThat(read.path("status").asString()).isEqualTo("complete");
        JsonNode details = read.path("answer");
        assertThat(details.path("usage").path("inputTokens").asInt()).isEqualTo(120);
        assertThat(details.path("usage").path("outputTokens").asInt()).isEqualTo(9);
        assertThat(details.path("usage").path("estimated").asBoolean()).isFalse();
        assertThat(details.path("timings").path("timeToFirstTokenMs").asInt()).isEqualTo(80);
        assertThat(details.path("timings").path("durationMs").asInt()).isEqualTo(450);
        assertThat(details.path("citations").get(0).path("fileId").asString()).isEqualTo(file.toString());
        assertThat(details.path("citations").get(0).path("score").asDouble()).isEqualTo(0.75);
        assertThat(Chats.ids(api.get(CHATS + "?q=symbiosis", owner.token()).json())).containsExactly(chat);
        assertThat(answers.find(started.id())).isPresent();
    }

    /**
     * A save writes {@code content} and {@code updated_at} only (every 250 ms of every answer in progress); an index
     * over either, in its key, an expression or its predicate, makes PostgreSQL write a new entry into every index of
     * the table for each save instead of updating the row in place (HOT). V13 and V24 indexed {@code updated_at}.
     */
    @Test
    void noIndexOfTheMessagesCoversAColumnThatASaveWrites() {
        List<String> indexed = jdbc.sql("""
                        select distinct a.attname from pg_index i
                        join pg_attribute a on a.attrelid = i.indrelid and a.attnum > 0 and not a.attisdropped
                        where i.indrelid = 'chat_messages'::regclass
                          and (a.attnum = any(i.indkey)
                               or coalesce(pg_get_expr(i.indexprs, i.indrelid), '') ~ ('\\m' || a.attname || '\\M')
                               or coalesce(pg_get_expr(i.indpred, i.indrelid), '') ~ ('\\m' || a.attname || '\\M'))""")
                .query(String.class).list();
        assertThat(indexed).as("the columns the indexes of chat_messages cover")
                .contains("id", "chat_id", "status", "owner_user_id", "terms")
                .doesNotContain("content", "updated_at");
    }

    @Test
    void aFailedAnswerKeepsItsReasonAndAnOverlongOneIsCut() {
        TestUsers.Account owner = users.user();
        EffectiveState state = state(owner);
        JsonNode created = chats.create(owner, "Failures", "Say a lot.");
        UUID chat = UUID.fromString(created.path("chat").path("id").asString());
        UUID question = Chats.branch(created).getFirst();

        ChatMessage failing = answers.start(state, chat, question, AnswerStart.of("m", "c", Map.of())).answer();
        ChatMessage failed = answers.finish(failing.id(), null, AnswerOutcome.failed("provider_unavailable",
                "The provider answered 503.", null, new AnswerTimings(null, 30)));
        assertThat(failed.status()).isEqualTo(MessageStatus.FAILED);
        assertThat(failed.answer().failureCode()).isEqualTo("provider_unavailable");
        assertThat(failed.answer().failureReason()).isEqualTo("The provider answered 503.");
        assertThat(failed.answer().usage()).isNull();

        ChatMessage longOne = answers.start(state, chat, question, AnswerStart.of("m", "c", Map.of())).answer();
        assertThat(answers.append(longOne.id(), "y".repeat(ChatAnswers.MAX_ANSWER_LENGTH - 1)))
                .isEqualTo(ChatAnswers.Appended.ALL);
        assertThat(answers.append(longOne.id(), "zz")).isEqualTo(ChatAnswers.Appended.CUT);
        assertThat(answers.append(longOne.id(), "z")).isEqualTo(ChatAnswers.Appended.CUT);
        String content = answers.find(longOne.id()).orElseThrow().content();
        assertThat(content).hasSize(ChatAnswers.MAX_ANSWER_LENGTH).endsWith("yz");

        JsonNode siblings = chats.thread(owner, chat).path("messages").get(1).path("siblings");
        assertThat(siblings.path("count").asInt()).isEqualTo(2);
        assertThat(siblings.path("index").asInt()).isEqualTo(1);
    }

    @Test
    void anAnswerStartsOnlyUnderAQuestionOfTheCallersChat() {
        TestUsers.Account owner = users.user();
        EffectiveState state = state(owner);
        JsonNode created = chats.create(owner, "Rules", "A question");
        UUID chat = UUID.fromString(created.path("chat").path("id").asString());
        UUID question = Chats.branch(created).getFirst();
        AnswerStart start = AnswerStart.of("m", "c", Map.of());
        UUID answer = answered(state, chat, question, "An answer");

        assertThatThrownBy(() -> answers.start(state, chat, answer, start)).hasMessageContaining("question");
        assertThatThrownBy(() -> answers.start(state, chat, UUID.randomUUID(), start))
                .hasMessageContaining("No such message");
        assertThatThrownBy(() -> answers.start(state(users.user()), chat, question, start))
                .hasMessageContaining("No such chat");
        assertThatThrownBy(() -> answers.start(state, chat, question, AnswerStart.of(" ", "c", Map.of())))
                .hasMessageContaining("1 to 200");
        assertThatThrownBy(() -> answers.start(state, chat, question,
                AnswerStart.of("m", "c", Map.of("stop", "s".repeat(ChatAnswers.MAX_PARAMETERS_LENGTH)))))
                .hasMessageContaining("JSON");

        Api.Response system = api.post(CHATS + "/" + chat + "/messages",
                Map.of("content", "Answer in one word.", "role", "system", "parentId", answer), owner.token());
        assertThat(system.status()).as(system.text()).isEqualTo(201);
        assertThat(system.json().path("role").asString()).isEqualTo("system");
        UUID instructions = UUID.fromString(system.json().path("id").asString());
        assertThatThrownBy(() -> answers.start(state, chat, instructions, start)).hasMessageContaining("question");

        ChatMessage orphan = answers.start(state, chat, question, start).answer();
        jdbc.sql("update chats set message_count = :n where id = :id").param("n", ChatService.MAX_MESSAGES)
                .param("id", chat).update();
        assertThatThrownBy(() -> answers.start(state, chat, question, start)).hasMessageContaining("the most a chat holds");
        assertThat(api.delete(CHATS + "/" + chat, owner.token()).status()).isEqualTo(204);
        assertThat(answers.append(orphan.id(), "more")).isEqualTo(ChatAnswers.Appended.NOT_IN_PROGRESS);
        assertThatThrownBy(() -> answers.finish(orphan.id(), null, AnswerOutcome.complete(null, null, List.of(), List.of())))
                .hasMessageContaining("No such message");

        jdbc.sql("delete from users where id = :id").param("id", owner.id()).update();
        assertThatThrownBy(() -> answers.start(state, chat, question, start))
                .hasMessageContaining("account this request was made with has been deleted");
    }

    @Test
    void contentThatPostgreSqlCannotStoreIsRefusedForJavaCallersToo() {
        TestUsers.Account owner = users.user();
        UUID chat = chats.chat(owner, "Java caller");
        assertThatThrownBy(() -> service.addMessage(state(owner), chat, null, NewMessage.question("a\0b")))
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> service.addMessage(state(owner), chat, null, NewMessage.question("x\ud800")))
                .hasMessageContaining("surrogate");
    }

    /** Starts, writes and completes an answer; returns its id. */
    private UUID answered(EffectiveState state, UUID chat, UUID question, String text) {
        ChatMessage started = answers.start(state, chat, question, AnswerStart.of("fake/m", "fake", Map.of()))
                .answer();
        answers.append(started.id(), text);
        return answers.finish(started.id(), null, AnswerOutcome.complete(null, null, List.of(), List.of())).id();
    }

    private EffectiveState state(TestUsers.Account account) {
        return resolver.resolve(account.token(), false).orElseThrow();
    }
}
