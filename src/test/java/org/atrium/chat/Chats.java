package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.TestUsers;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Chat calls for tests, through the real API, asserting the status of each setup step. */
final class Chats {

    static final String CHATS = "/api/v1/chats";

    private final Api api;

    Chats(Api api) {
        this.api = api;
    }

    /** Creates a chat with a title and, when {@code question} is not null, a first question; returns the thread. */
    JsonNode create(TestUsers.Account owner, String title, String question) {
        Map<String, Object> body = new HashMap<>();
        body.put("title", title);
        if (question != null) {
            body.put("message", Map.of("content", question));
        }
        Api.Response created = api.post(CHATS, body, owner.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json();
    }

    /** @return the id of a new chat */
    UUID chat(TestUsers.Account owner, String title) {
        return UUID.fromString(create(owner, title, null).path("chat").path("id").asString());
    }

    /** Adds a question after {@code parentId} (null: a first message); returns the message's id. */
    UUID ask(TestUsers.Account owner, UUID chatId, UUID parentId, String content) {
        Map<String, Object> body = new HashMap<>();
        body.put("content", content);
        body.put("parentId", parentId);
        Api.Response added = api.post(CHATS + "/" + chatId + "/messages", body, owner.token());
        assertThat(added.status()).as(added.text()).isEqualTo(201);
        return UUID.fromString(added.json().path("id").asString());
    }

    /** @return the chat with its branch */
    JsonNode thread(TestUsers.Account owner, UUID chatId) {
        Api.Response read = api.get(CHATS + "/" + chatId, owner.token());
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        return read.json();
    }

    /** @return the ids of the branch shown, first message first */
    static List<UUID> branch(JsonNode thread) {
        List<UUID> ids = new ArrayList<>();
        thread.path("messages").forEach(m -> ids.add(UUID.fromString(m.path("message").path("id").asString())));
        return ids;
    }

    /** @return the ids of a listing page, in order */
    static List<UUID> ids(JsonNode page) {
        List<UUID> ids = new ArrayList<>();
        page.path("items").forEach(item -> ids.add(UUID.fromString(item.path("id").asString())));
        return ids;
    }
}
