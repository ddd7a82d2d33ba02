package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.chat.Chats.CHATS;
import static org.awaitility.Awaitility.await;

/** Messages ground on collections and files by links: checked when made, never owning, gone with either side. */
class ChatKnowledgeTest extends IntegrationTest {

    @Autowired
    private DataSource dataSource;

    private Chats chats;
    private Knowledge knowledge;

    @BeforeEach
    void helpers() {
        chats = new Chats(api);
        knowledge = new Knowledge(api);
    }

    @Test
    void aMessageGroundsOnlyOnCollectionsAndFilesTheCallerMayRead() {
        TestUsers.Account owner = users.user();
        UUID collection = knowledge.personalCollection(owner, "Fruit notes");
        UUID file = knowledge.upload(owner, collection, "kiwi.txt", text("Kiwis are green inside."));
        TestUsers.Account other = users.user();
        UUID foreignCollection = knowledge.personalCollection(other, "Not yours");
        UUID foreignFile = knowledge.upload(other, foreignCollection, "secret.txt", text("Saffron prices."));

        Api.Response created = api.post(CHATS, Map.of("message", Map.of("content", "What is green inside?",
                "collectionIds", List.of(collection, collection), "fileIds", List.of(file))), owner.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode message = created.json().path("messages").get(0).path("message");
        assertThat(message.path("collectionIds")).hasSize(1);
        assertThat(message.path("collectionIds").get(0).asString()).isEqualTo(collection.toString());
        assertThat(message.path("fileIds").get(0).asString()).isEqualTo(file.toString());
        UUID chat = UUID.fromString(created.json().path("chat").path("id").asString());

        Map<String, List<UUID>> refusals = Map.of("collectionIds", List.of(foreignCollection),
                "fileIds", List.of(foreignFile));
        for (Map.Entry<String, List<UUID>> refused : refusals.entrySet()) {
            Api.Response answer = api.post(CHATS + "/" + chat + "/messages",
                    Map.of("content", "Peek", refused.getKey(), refused.getValue()), owner.token());
            assertThat(answer.status()).as(answer.text()).isEqualTo(404);
            assertThat(answer.json().path("code").asString())
                    .isEqualTo(refused.getKey().equals("fileIds") ? "file_not_found" : "collection_not_found");
            Api.Response atCreation = api.post(CHATS, Map.of("message", Map.of("content", "Peek",
                    refused.getKey(), refused.getValue())), owner.token());
            assertThat(atCreation.status()).as(atCreation.text()).isEqualTo(404);
        }
        Api.Response unknown = api.post(CHATS + "/" + chat + "/messages",
                Map.of("content", "Ghost", "fileIds", List.of(UUID.randomUUID())), owner.token());
        assertThat(unknown.json().path("code").asString()).isEqualTo("file_not_found");
        assertThat(chats.thread(owner, chat).path("chat").path("messageCount").asInt()).isEqualTo(1);
        assertThat(Chats.ids(api.get(CHATS, owner.token()).json())).as("no chat was left by a refused creation")
                .containsExactly(chat);
    }

    @Test
    void deletingACollectionOrAFileRemovesTheLinksAndKeepsTheChat() {
        TestUsers.Account owner = users.user();
        UUID collection = knowledge.personalCollection(owner, "Short-lived");
        UUID kept = knowledge.personalCollection(owner, "Kept");
        UUID file = knowledge.upload(owner, kept, "violin.txt", text("Violins have four strings."));
        Api.Response created = api.post(CHATS, Map.of("message", Map.of("content", "Strings?",
                "collectionIds", List.of(collection, kept), "fileIds", List.of(file))), owner.token());
        UUID chat = UUID.fromString(created.json().path("chat").path("id").asString());

        assertThat(api.delete("/api/v1/collections/" + collection, owner.token()).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/files/" + file, owner.token()).status()).isEqualTo(204);

        JsonNode message = chats.thread(owner, chat).path("messages").get(0).path("message");
        assertThat(message.path("content").asString()).isEqualTo("Strings?");
        assertThat(message.path("collectionIds")).hasSize(1);
        assertThat(message.path("collectionIds").get(0).asString()).isEqualTo(kept.toString());
        assertThat(message.path("fileIds").isEmpty()).isTrue();
    }

    @Test
    void deletingAChatRemovesItsMessagesAndLinksButNeverTheCollectionsOrFiles() {
        TestUsers.Account owner = users.user();
        UUID collection = knowledge.personalCollection(owner, "Survives");
        UUID file = knowledge.upload(owner, collection, "tundra.txt", text("Tundra is cold."));
        Api.Response created = api.post(CHATS, Map.of("message", Map.of("content", "Cold?",
                "collectionIds", List.of(collection), "fileIds", List.of(file))), owner.token());
        UUID chat = UUID.fromString(created.json().path("chat").path("id").asString());
        UUID message = Chats.branch(created.json()).getFirst();

        assertThat(api.delete(CHATS + "/" + chat, owner.token()).status()).isEqualTo(204);
        assertThat(api.delete(CHATS + "/" + chat, owner.token()).status()).as("again").isEqualTo(204);

        assertThat(api.get(CHATS + "/" + chat, owner.token()).status()).isEqualTo(404);
        assertThat(count("select count(*) from chat_messages where chat_id = :id", chat)).isZero();
        assertThat(count("select count(*) from chat_message_attachments where message_id = :id", message)).isZero();
        assertThat(api.get("/api/v1/collections/" + collection, owner.token()).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/files/" + file, owner.token()).status()).isEqualTo(200);
    }

    @Test
    void deletingAUserDeletesTheirChats() {
        TestUsers.Account owner = users.user();
        UUID chat = UUID.fromString(chats.create(owner, "Soon gone", "Anyone there?").path("chat").path("id")
                .asString());
        TestUsers.Account admin = users.admin();

        assertThat(api.delete("/api/v1/users/" + owner.id(), admin.token()).status()).isEqualTo(204);

        assertThat(count("select count(*) from chats where id = :id", chat)).isZero();
        assertThat(count("select count(*) from chat_messages where chat_id = :id", chat)).isZero();
    }

    @Test
    void aWriteWhoseCallerIsDeletedMeanwhileAnswers401() throws Exception {
        TestUsers.Account owner = users.user();
        UUID chat = chats.chat(owner, "Vanishing");
        try (Connection deleting = dataSource.getConnection()) {
            deleting.setAutoCommit(false);
            try (PreparedStatement delete = deleting.prepareStatement("delete from users where id = ?")) {
                delete.setObject(1, owner.id());
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
            CompletableFuture<Api.Response> running = CompletableFuture.supplyAsync(
                    () -> api.delete(CHATS + "/" + chat, owner.token()));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> jdbc.sql(
                    "select count(*) from pg_stat_activity where datname = current_database()"
                            + " and wait_event_type = 'Lock'").query(Long.class).single() > 0);
            deleting.commit();
            Api.Response answer = running.get(30, TimeUnit.SECONDS);
            assertThat(answer.status()).as(answer.text()).isEqualTo(401);
            assertThat(answer.json().path("code").asString()).isEqualTo("invalid_credentials");
        }
    }

    private long count(String sql, UUID id) {
        return jdbc.sql(sql).param("id", id).query(Long.class).single();
    }

    private static byte[] text(String content) {
        return content.getBytes(StandardCharsets.UTF_8);
    }
}
