package org.atrium.chat;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
 * The "done when", in one process: a member whose only credential is their group's virtual key sees the
 * models of connections of all four kinds, chats with each (the key reaching each provider in its own header), and
 * gets an answer grounded on an attached collection, with citations; someone outside the group sees none of them.
 */
class GroupVirtualKeyChatTest extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String VIRTUAL_KEY = "vk-group-0123456789abcdef";

    private FakeChatServer provider;
    private final List<String> connectionIds = new ArrayList<>();
    private TestUsers.Account admin;

    @BeforeEach
    void startProvider() {
        provider = FakeChatServer.start().models("m").requireCredential(VIRTUAL_KEY);
        admin = users.admin();
    }

    @AfterEach
    void stopProvider() {
        connectionIds.forEach(id -> api.delete("/api/v1/connections/" + id, admin.token()));
        provider.close();
    }

    @Test
    void aMemberWithOnlyTheGroupsVirtualKeyChatsWithEveryKindAndGetsCitations() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> baseUrls = new LinkedHashMap<>();
        baseUrls.put("openai", provider.openAiBaseUrl());
        baseUrls.put("ollama", provider.ollamaBaseUrl());
        baseUrls.put("anthropic", provider.anthropicBaseUrl());
        baseUrls.put("gemini", provider.geminiBaseUrl());
        UUID group = users.group(admin, "vk");
        TestUsers.Account member = users.user();
        users.member(admin, group, member, "member");
        TestUsers.Account outsider = users.user();
        for (Map.Entry<String, String> kind : baseUrls.entrySet()) {
            String name = "vk-" + kind.getKey() + "-" + suffix;
            Api.Response created = api.post("/api/v1/connections", Map.of("name", name, "kind", kind.getKey(),
                    "baseUrl", kind.getValue()), admin.token());
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            connectionIds.add(created.json().path("id").asString());
            Api.Response key = api.post("/api/v1/groups/" + group + "/credentials", Map.of("connection", name,
                    "kind", "virtual_key", "name", "Gateway key", "secret", VIRTUAL_KEY), admin.token());
            assertThat(key.status()).as(key.text()).isEqualTo(201);
        }

        Map<String, String> modelByKind = new LinkedHashMap<>();
        for (JsonNode model : api.get("/api/v1/models", member.token()).json().path("items")) {
            String connection = model.path("connection").asString();
            if (connection.endsWith("-" + suffix)) {
                modelByKind.put(connection.substring(3, connection.length() - suffix.length() - 1),
                        model.path("id").asString());
            }
        }
        assertThat(modelByKind).as("one model from each kind, through the group's key")
                .containsOnlyKeys("openai", "ollama", "anthropic", "gemini");
        assertThat(api.get("/api/v1/models", outsider.token()).json().path("items").valueStream()
                .map(m -> m.path("connection").asString()).filter(c -> c.endsWith("-" + suffix)))
                .as("no credential, no model").isEmpty();

        for (Map.Entry<String, String> model : modelByKind.entrySet()) {
            String text = "An answer through " + model.getKey() + ".";
            provider.enqueue(FakeChatServer.Script.text(text));
            JsonNode end = answer(member, model.getValue(), "Say hello.", List.of());
            assertThat(end.path("status").asString()).as(model.getKey() + ": " + end).isEqualTo("complete");
        }
        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).map(r -> r.kind())
                .distinct()).containsExactlyInAnyOrder("openai", "ollama", "anthropic", "gemini");

        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-vk-embedding-1234");
        UUID collection = knowledge.groupCollection(admin, group, "Greenhouse");
        UUID file = knowledge.upload(admin, collection, "saffron.txt",
                "Saffron crocuses flower in the autumn greenhouse.".getBytes(StandardCharsets.UTF_8));
        assertThat(knowledge.awaitSettled(admin, collection, file).path("status").asString()).isEqualTo("ready");
        provider.enqueue(FakeChatServer.Script.text("In autumn [1]."));
        JsonNode grounded = answer(member, modelByKind.get("anthropic"), "When does saffron flower?",
                List.of(collection));
        assertThat(grounded.path("status").asString()).isEqualTo("complete");
        assertThat(grounded.path("citations").get(0).path("fileId").asString()).isEqualTo(file.toString());
        assertThat(grounded.path("citations").get(0).path("collectionId").asString())
                .isEqualTo(collection.toString());
    }

    private JsonNode answer(TestUsers.Account account, String model, String question, List<UUID> collectionIds) {
        Api.Response chat = api.post(Chats.CHATS, Map.of("message", Map.of("content", question, "collectionIds",
                collectionIds)), account.token());
        assertThat(chat.status()).as(chat.text()).isEqualTo(201);
        String chatId = chat.json().path("chat").path("id").asString();
        String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();
        try (AnswerEventStream stream = AnswerEventStream.open(api.baseUrl(), "POST", Chats.CHATS + "/" + chatId
                + "/answers", AnswerEventStream.json(Map.of("questionId", questionId, "model", model)),
                account.token())) {
            assertThat(stream.status()).isEqualTo(200);
            return stream.awaitEnd(WAIT);
        }
    }
}
