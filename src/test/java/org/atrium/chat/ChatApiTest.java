package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.chat.Chats.CHATS;

/** The chat endpoints: creating, listing, searching, changing, deleting, and what others and bad input get. */
class ChatApiTest extends IntegrationTest {

    private Chats chats;

    @BeforeEach
    void helpers() {
        chats = new Chats(api);
    }

    @Test
    void aChatIsCreatedEmptyOrWithItsFirstQuestion() {
        TestUsers.Account owner = users.user();

        Api.Response empty = api.post(CHATS, Map.of(), owner.token());
        assertThat(empty.status()).as(empty.text()).isEqualTo(201);
        assertThat(empty.json().path("chat").path("title").asString()).isEmpty();
        assertThat(empty.json().path("chat").path("messageCount").asInt()).isZero();
        assertThat(empty.json().path("chat").path("currentMessageId").isNull()).isTrue();
        assertThat(empty.json().path("messages").isEmpty()).isTrue();

        JsonNode thread = chats.create(owner, "  Lab safety  ", "Which rooms require lab coats?");
        assertThat(thread.path("chat").path("title").asString()).isEqualTo("Lab safety");
        assertThat(thread.path("chat").path("messageCount").asInt()).isEqualTo(1);
        JsonNode first = thread.path("messages").get(0);
        assertThat(first.path("message").path("content").asString()).isEqualTo("Which rooms require lab coats?");
        assertThat(first.path("message").path("role").asString()).isEqualTo("user");
        assertThat(first.path("message").path("status").asString()).isEqualTo("complete");
        assertThat(first.path("message").path("answer").isNull()).isTrue();
        assertThat(first.path("siblings").path("index").asInt()).isZero();
        assertThat(first.path("siblings").path("count").asInt()).isEqualTo(1);
        assertThat(thread.path("chat").path("currentMessageId").asString())
                .isEqualTo(first.path("message").path("id").asString());
    }

    @Test
    void boundsAreCheckedWithValidationFailed() {
        TestUsers.Account owner = users.user();
        UUID chat = chats.chat(owner, "Bounds");
        List<UUID> many = Collections.nCopies(21, UUID.randomUUID());
        List<Map<String, Object>> bad = List.of(
                Map.of("title", "t".repeat(ChatService.MAX_TITLE_LENGTH + 1)),
                Map.of("title", "evil\u202Efdp.exe"),
                Map.of("message", Map.of("content", "   ")),
                Map.of("message", Map.of("content", "x".repeat(ChatService.MAX_CONTENT_LENGTH + 1))),
                Map.of("message", Map.of("content", "Hi", "role", "assistant")),
                Map.of("message", Map.of("content", "Hi", "collectionIds", many)),
                Map.of("message", Map.of("content", "Hi", "collectionIds", distinct(11), "fileIds", distinct(10))));
        for (Map<String, Object> body : bad) {
            Api.Response refused = api.post(CHATS, body, owner.token());
            assertThat(refused.status()).as("%s: %s", body.keySet(), refused.text()).isEqualTo(400);
            assertThat(refused.json().path("code").asString()).isEqualTo("validation_failed");
            Object message = body.get("message");
            if (message != null) {
                Api.Response alsoRefused = api.post(CHATS + "/" + chat + "/messages", message, owner.token());
                assertThat(alsoRefused.status()).as(alsoRefused.text()).isEqualTo(400);
                assertThat(alsoRefused.json().path("code").asString()).isEqualTo("validation_failed");
            } else {
                Api.Response alsoRefused = api.patch(CHATS + "/" + chat, body, owner.token());
                assertThat(alsoRefused.status()).as(alsoRefused.text()).isEqualTo(400);
            }
        }
        assertThat(api.get(CHATS + "?q=" + "w".repeat(ChatService.MAX_QUERY_LENGTH + 1), owner.token()).status())
                .isEqualTo(400);
        assertThat(api.get(CHATS + "?limit=201", owner.token()).status()).isEqualTo(400);
        Api.Response nul = api.get(CHATS + "?q=a%00b", owner.token());
        assertThat(nul.status()).as(nul.text()).isEqualTo(400);
        assertThat(nul.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(api.get(CHATS + "/" + chat + "/messages?offset=-1", owner.token()).status()).isEqualTo(400);
        assertThat(api.put(CHATS + "/" + chat + "/branch", Map.of(), owner.token()).status()).isEqualTo(400);
        assertThat(api.get(CHATS + "/" + chat, owner.token()).json().path("chat").path("messageCount").asInt())
                .as("nothing refused was stored").isZero();
    }

    @Test
    void listingPutsPinnedFirstThenTheMostRecentlyUpdatedAndFiltersArchived() {
        TestUsers.Account owner = users.user();
        UUID first = chats.chat(owner, "First");
        UUID second = chats.chat(owner, "Second");
        UUID third = chats.chat(owner, "Third");
        assertThat(Chats.ids(api.get(CHATS, owner.token()).json())).containsExactly(third, second, first);

        chats.ask(owner, first, null, "A new question moves the chat up");
        assertThat(Chats.ids(api.get(CHATS, owner.token()).json())).containsExactly(first, third, second);

        assertThat(api.patch(CHATS + "/" + second, Map.of("pinned", true), owner.token()).json()
                .path("pinned").asBoolean()).isTrue();
        assertThat(Chats.ids(api.get(CHATS, owner.token()).json())).containsExactly(second, first, third);
        assertThat(Chats.ids(api.get(CHATS + "?pinned=true", owner.token()).json())).containsExactly(second);
        assertThat(Chats.ids(api.get(CHATS + "?pinned=false", owner.token()).json())).containsExactly(first, third);

        assertThat(api.patch(CHATS + "/" + third, Map.of("title", "Third, renamed"), owner.token()).status())
                .isEqualTo(200);
        assertThat(Chats.ids(api.get(CHATS, owner.token()).json())).containsExactly(second, third, first);

        assertThat(api.patch(CHATS + "/" + first, Map.of("archived", true), owner.token()).json()
                .path("archived").asBoolean()).isTrue();
        assertThat(Chats.ids(api.get(CHATS, owner.token()).json())).containsExactly(second, third);
        assertThat(Chats.ids(api.get(CHATS + "?archived=true", owner.token()).json())).containsExactly(first);
        api.patch(CHATS + "/" + first, Map.of("archived", false, "pinned", false), owner.token());
        assertThat(Chats.ids(api.get(CHATS, owner.token()).json())).containsExactly(second, third, first);
        assertThat(api.get(CHATS + "?archived=maybe", owner.token()).status()).isEqualTo(400);
    }

    @Test
    void listingIsPagedWithItsTotal() {
        TestUsers.Account owner = users.user();
        for (int i = 0; i < 5; i++) {
            chats.chat(owner, "Chat " + i);
        }
        JsonNode page = api.get(CHATS + "?offset=1&limit=2", owner.token()).json();
        assertThat(page.path("total").asLong()).isEqualTo(5);
        assertThat(page.path("offset").asInt()).isEqualTo(1);
        assertThat(page.path("limit").asInt()).isEqualTo(2);
        assertThat(page.path("items")).hasSize(2);
        assertThat(page.path("items").get(0).path("title").asString()).isEqualTo("Chat 3");
        assertThat(api.get(CHATS + "?offset=4&limit=2", owner.token()).json().path("items")).hasSize(1);
    }

    @Test
    void searchFindsWordsAsPrefixesInTitlesAndMessagesOfTheCallersChatsOnly() {
        TestUsers.Account owner = users.user();
        UUID byTitle = chats.chat(owner, "Kiwi harvest plans");
        UUID byContent = UUID.fromString(chats.create(owner, "Untitled", "How do I store papayas and kiwis?")
                .path("chat").path("id").asString());
        UUID neither = chats.chat(owner, "Granite counters");
        TestUsers.Account other = users.user();
        chats.create(other, "Kiwi too", "kiwi");

        assertThat(Chats.ids(api.get(CHATS + "?q=kiw", owner.token()).json()))
                .containsExactlyInAnyOrder(byTitle, byContent);
        assertThat(Chats.ids(api.get(CHATS + "?q=KIWIS%20papaya", owner.token()).json())).containsExactly(byContent);
        assertThat(Chats.ids(api.get(CHATS + "?q=granite", owner.token()).json())).containsExactly(neither);
        assertThat(api.get(CHATS + "?q=granite", owner.token()).json().path("total").asLong()).isEqualTo(1);
        assertThat(Chats.ids(api.get(CHATS + "?q=mango", owner.token()).json())).isEmpty();
        JsonNode punctuation = api.get(CHATS + "?q=%27%3A*%20%26%20%21", owner.token()).json();
        assertThat(punctuation.path("items").isEmpty()).isTrue();
        assertThat(punctuation.path("total").asLong()).isZero();
        assertThat(Chats.ids(api.get(CHATS + "?q=it%27s%5C", owner.token()).json())).isEmpty();
        assertThat(Chats.ids(api.get(CHATS + "?q=%20", owner.token()).json())).hasSize(3);
    }

    @Test
    void anotherUsersChatDoesNotExistForThemAndTheirDeleteChangesNothing() {
        TestUsers.Account owner = users.user();
        JsonNode thread = chats.create(owner, "Private", "A private question");
        UUID chat = UUID.fromString(thread.path("chat").path("id").asString());
        UUID message = Chats.branch(thread).getFirst();
        for (TestUsers.Account stranger : List.of(users.user(), users.admin())) {
            String token = stranger.token();
            List<Api.Response> answers = List.of(api.get(CHATS + "/" + chat, token),
                    api.patch(CHATS + "/" + chat, Map.of("title", "Mine now"), token),
                    api.post(CHATS + "/" + chat + "/messages", Map.of("content", "Hello"), token),
                    api.get(CHATS + "/" + chat + "/messages", token),
                    api.get(CHATS + "/" + chat + "/messages/" + message, token),
                    api.put(CHATS + "/" + chat + "/branch", Map.of("messageId", message), token));
            for (Api.Response answer : answers) {
                assertThat(answer.status()).as(answer.text()).isEqualTo(404);
                assertThat(answer.json().path("code").asString()).isEqualTo("chat_not_found");
            }
            assertThat(api.delete(CHATS + "/" + chat, token).status()).isEqualTo(204);
            assertThat(Chats.ids(api.get(CHATS, token).json())).doesNotContain(chat);
        }
        JsonNode after = chats.thread(owner, chat);
        assertThat(after.path("chat").path("title").asString()).isEqualTo("Private");
        assertThat(after.path("chat").path("messageCount").asInt()).isEqualTo(1);
    }

    @Test
    void unknownChatsAndMessagesAnswerNotFound() {
        TestUsers.Account owner = users.user();
        UUID chat = chats.chat(owner, "Known");
        UUID otherChat = UUID.fromString(chats.create(owner, "Other", "Elsewhere").path("chat").path("id")
                .asString());
        UUID elsewhere = Chats.branch(chats.thread(owner, otherChat)).getFirst();
        assertThat(api.get(CHATS + "/" + UUID.randomUUID(), owner.token()).json().path("code").asString())
                .isEqualTo("chat_not_found");
        assertThat(api.delete(CHATS + "/" + UUID.randomUUID(), owner.token()).status()).isEqualTo(204);
        for (Api.Response answer : List.of(api.get(CHATS + "/" + chat + "/messages/" + elsewhere, owner.token()),
                api.post(CHATS + "/" + chat + "/messages", Map.of("content", "Hi", "parentId", elsewhere),
                        owner.token()),
                api.put(CHATS + "/" + chat + "/branch", Map.of("messageId", elsewhere), owner.token()))) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(404);
            assertThat(answer.json().path("code").asString()).isEqualTo("message_not_found");
        }
    }

    @Test
    void aFullChatRefusesMoreMessages() {
        TestUsers.Account owner = users.user();
        UUID chat = chats.chat(owner, "Full");
        jdbc.sql("update chats set message_count = :n where id = :id").param("n", ChatService.MAX_MESSAGES)
                .param("id", chat).update();
        Api.Response refused = api.post(CHATS + "/" + chat + "/messages", Map.of("content", "One more"),
                owner.token());
        assertThat(refused.status()).as(refused.text()).isEqualTo(409);
        assertThat(refused.json().path("code").asString()).isEqualTo("chat_full");
    }

    private static List<UUID> distinct(int count) {
        return java.util.stream.Stream.generate(UUID::randomUUID).limit(count).toList();
    }
}
