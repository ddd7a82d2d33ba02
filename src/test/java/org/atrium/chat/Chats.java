package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
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

    /**
     * Signs up the first account of a fresh instance (its admin), registers {@code provider} as an OpenAI-compatible
     * connection named {@code connection} and stores a personal key for it, for tests of several replicas, which
     * have no test users; each step's status is asserted.
     *
     * @return the account's token
     */
    static String adminWithConnection(Api api, FakeChatServer provider, String connection) {
        Api.Response signUp = api.post("/api/v1/auth/signup", Map.of("email", TestUsers.uniqueEmail(connection),
                "name", "Admin", "password", TestUsers.PASSWORD), null);
        assertThat(signUp.status()).as(signUp.text()).isEqualTo(201);
        String token = signUp.json().path("token").asString();
        Api.Response added = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai", "baseUrl",
                provider.openAiBaseUrl()), token);
        assertThat(added.status()).as(added.text()).isEqualTo(201);
        assertThat(api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key", "name",
                "mine", "secret", "sk-mine-0123456789abcdef"), token).status()).isEqualTo(201);
        return token;
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
