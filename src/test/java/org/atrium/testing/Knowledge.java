package org.atrium.testing;

import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Test arrangements for knowledge: a group whose admins chose an embedding model and credential, its collections,
 * uploads, and waiting for ingestion. Every call goes through the HTTP API.
 */
public final class Knowledge {

    /** Statuses after which ingestion does not move without a new request. */
    public static final Set<String> SETTLED = Set.of("ready", "failed");

    private final Api api;

    public Knowledge(Api api) {
        this.api = api;
    }

    /** Sets a group's embedding connection and model (group settings layer). */
    public void setGroupEmbedding(TestUsers.Account admin, UUID groupId, String connection, String model) {
        Api.Response current = api.get("/api/v1/groups/" + groupId + "/settings", admin.token());
        require(current, 200);
        tools.jackson.databind.node.ObjectNode settings = ((tools.jackson.databind.node.ObjectNode)
                current.json().path("settings")).deepCopy();
        settings.put("embedding.connection", connection);
        settings.put("embedding.model", model);
        require(api.put("/api/v1/groups/" + groupId + "/settings", Map.of("settings", settings), admin.token()),
                200);
    }

    /** Adds a group credential for a connection; returns its id. */
    public UUID addGroupCredential(TestUsers.Account admin, UUID groupId, String connection, String secret) {
        Api.Response created = api.post("/api/v1/groups/" + groupId + "/credentials", Map.of("connection",
                connection, "kind", "api_key", "name", "Embedding key", "secret", secret), admin.token());
        require(created, 201);
        return UUID.fromString(created.json().path("id").asString());
    }

    /** Creates a group collection; returns its id. */
    public UUID groupCollection(TestUsers.Account admin, UUID groupId, String name) {
        Api.Response created = api.post("/api/v1/collections", Map.of("name", name, "groupId", groupId),
                admin.token());
        require(created, 201);
        return UUID.fromString(created.json().path("id").asString());
    }

    /** Creates a personal collection; returns its id. */
    public UUID personalCollection(TestUsers.Account owner, String name) {
        Api.Response created = api.post("/api/v1/collections", Map.of("name", name), owner.token());
        require(created, 201);
        return UUID.fromString(created.json().path("id").asString());
    }

    /** Uploads; expects 202 and returns the file id. */
    public UUID upload(TestUsers.Account user, UUID collectionId, String fileName, byte[] content) {
        Api.Response response = api.upload("/api/v1/collections/" + collectionId + "/files", fileName, content,
                user.token());
        require(response, 202);
        return UUID.fromString(response.json().path("fileId").asString());
    }

    /** The file as listed in the collection, or null when it is not listed. */
    public JsonNode listed(TestUsers.Account user, UUID collectionId, UUID fileId) {
        Api.Response response = api.get("/api/v1/collections/" + collectionId + "/files?limit=200", user.token());
        require(response, 200);
        for (JsonNode item : response.json().path("items")) {
            if (item.path("fileId").asString().equals(fileId.toString())) {
                return item;
            }
        }
        return null;
    }

    /** Waits until the file's status in the collection satisfies the condition; returns the listing entry. */
    public JsonNode await(TestUsers.Account user, UUID collectionId, UUID fileId, Predicate<JsonNode> condition,
                          Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            last = listed(user, collectionId, fileId);
            if (last != null && condition.test(last)) {
                return last;
            }
            sleep(100);
        }
        throw new AssertionError("file " + fileId + " did not reach the expected state in " + timeout + "; last: "
                + last);
    }

    /** Waits until ingestion settled (ready or failed); returns the listing entry. */
    public JsonNode awaitSettled(TestUsers.Account user, UUID collectionId, UUID fileId) {
        return await(user, collectionId, fileId, item -> SETTLED.contains(item.path("status").asString()),
                Duration.ofSeconds(60));
    }

    /** Retrieval; expects 200. */
    public JsonNode retrieve(TestUsers.Account user, String query, int topK, UUID... collectionIds) {
        Api.Response response = api.post("/api/v1/retrieval", Map.of("query", query, "collectionIds",
                java.util.List.of(collectionIds), "topK", topK), user.token());
        require(response, 200);
        return response.json();
    }

    private static void require(Api.Response response, int status) {
        if (response.status() != status) {
            throw new AssertionError("expected " + status + " but got " + response.status() + ": " + response.text());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
