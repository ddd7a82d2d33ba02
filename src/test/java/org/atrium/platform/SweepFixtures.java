package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.TestUsers;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * Real things an instance admin can act on, one per kind of path variable of the API, so that {@link
 * HostileInputSweepTest} can reach past the "not found" checks into the stores: a group with a member, an
 * invitation to it, a group collection with a file uploaded into it, a credential at each level, an API key and a
 * chat with a question.
 */
final class SweepFixtures {

    private final Map<String, String> byVariable;
    private final Map<String, String> credentialByPath;
    private final Map<String, String> byBodyField;

    private SweepFixtures(Map<String, String> byVariable, Map<String, String> credentialByPath,
                          Map<String, String> byBodyField) {
        this.byVariable = byVariable;
        this.credentialByPath = credentialByPath;
        this.byBodyField = byBodyField;
    }

    /** Creates the fixtures as the admin whose API key is {@code key}. */
    static SweepFixtures create(Api api, TestUsers users, TestUsers.Account admin, String key) {
        String group = users.group(admin, "sweep-real").toString();
        TestUsers.Account member = users.user();
        users.member(admin, UUID.fromString(group), member, "member");
        TestUsers.Account invitee = users.user();
        TestUsers.Account stranger = users.user();
        String invitation = created(api.post("/api/v1/groups/" + group + "/invitations",
                Map.of("userId", invitee.id()), key), 201, "/id");
        String collection = created(api.post("/api/v1/collections", Map.of("name", "sweep real", "groupId", group),
                key), 201, "/id");
        String file = created(api.upload("/api/v1/collections/" + collection + "/files", "sweep.txt",
                "Hostile input sweep fixture.".getBytes(StandardCharsets.UTF_8), key), 202, "/fileId");
        String apiKey = created(api.post("/api/v1/api-keys", Map.of("name", "sweep victim"), key), 201,
                "/apiKey/id");
        String connection = created(api.post("/api/v1/connections", Map.of("name", "sweep-"
                + UUID.randomUUID().toString().substring(0, 8), "kind", "ollama", "baseUrl", "http://127.0.0.1:9",
                "groupId", group), key), 201, "/id");
        Api.Response chat = api.post("/api/v1/chats", Map.of("message", Map.of("content", "Sweep question")), key);
        String chatId = created(chat, 201, "/chat/id");
        String messageId = created(chat, 201, "/messages/0/message/id");
        String preset = created(api.post("/api/v1/presets", Map.of("name", "sweep preset", "baseModel", "sweep/m",
                "groupId", group), key), 201, "/id");
        return new SweepFixtures(
                Map.ofEntries(Map.entry("groupId", group), Map.entry("userId", member.id().toString()),
                        Map.entry("invitationId", invitation), Map.entry("collectionId", collection),
                        Map.entry("fileId", file), Map.entry("apiKeyId", apiKey), Map.entry("connectionId", connection),
                        Map.entry("chatId", chatId), Map.entry("messageId", messageId), Map.entry("presetId", preset),
                        // A model id of the OpenAI-compatible API (/v1/models/{id}).
                        Map.entry("id", "sweep/m")),
                Map.of("/api/v1/groups/", credential(api, "/api/v1/groups/" + group + "/credentials", key),
                        "/api/v1/me/", credential(api, "/api/v1/me/credentials", key),
                        "/api/v1/settings/instance/",
                        credential(api, "/api/v1/settings/instance/credentials", key)),
                Map.of("userId", stranger.id().toString(), "groupId", group, "sharedWithGroups", group,
                        "collectionId", collection, "fileId", file, "collectionIds", collection, "fileIds", file,
                        "parentId", messageId, "messageId", messageId));
    }

    /** @return the fixture for a path variable of a path template, or null when there is none */
    String pathValue(String path, String variable) {
        if (variable.equals("credentialId")) {
            return credentialByPath.entrySet().stream().filter(entry -> path.startsWith(entry.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        return byVariable.get(variable);
    }

    /** @return the fixture for an id field of a request body (such as an invitation's {@code userId}), or null */
    String bodyValue(String field) {
        return byBodyField.get(field);
    }

    private static String credential(Api api, String path, String key) {
        return created(api.post(path, Map.of("connection", "sweep", "kind", "api_key", "name", "Sweep key",
                "secret", "sk-sweep-" + UUID.randomUUID()), key), 201, "/id");
    }

    private static String created(Api.Response response, int status, String idPointer) {
        String id = response.status() == status ? response.json().at(idPointer).asString("") : "";
        if (id.isBlank()) {
            throw new IllegalStateException("fixture creation answered " + response.status() + ": " + response.text());
        }
        return id;
    }
}
