package org.atrium.compat.openwebui;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the examples of Open WebUI's API documentation ("API Endpoints", retrieval-augmented generation) with a
 * personal API key, as a script written for Open WebUI sends them: upload a file on its own, poll and stream its
 * processing status, create a knowledge base, add the file, read it back, chat with it, remove it, delete the file
 * and the knowledge base; nothing is left behind.
 */
class OpenWebUiKnowledgeApiTest extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void theDocumentedUploadProcessAddRemoveDeleteWorkflowWorksWithAnApiKey() throws Exception {
        TestUsers.Account owner = team().member();
        String key = apiKey(owner);

        // requests.post(f'{WEBUI_URL}/api/v1/files/', headers=headers, files={'file': f})
        Api.Response uploaded = api.upload("/api/v1/files/", "kiwi-notes.txt", text("Kiwis are green inside."),
                key, Map.of("Accept", "application/json"));
        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(200);
        JsonNode file = uploaded.json();
        String fileId = file.path("id").asString();
        assertThat(file.path("status").asBoolean()).isTrue();
        assertThat(file.path("user_id").asString()).isEqualTo(owner.id().toString());
        assertThat(file.path("filename").asString()).isEqualTo("kiwi-notes.txt");
        assertThat(file.path("meta").path("name").asString()).isEqualTo("kiwi-notes.txt");
        assertThat(file.path("meta").path("content_type").asString()).isEqualTo("text/plain");
        assertThat(file.path("meta").path("size").asLong()).isEqualTo(23);
        assertThat(file.path("hash").asString()).hasSize(64);
        assertThat(file.path("data").path("status").asString()).isIn("pending", "completed");
        assertThat(file.path("created_at").asLong()).isCloseTo(Instant.now().getEpochSecond(),
                org.assertj.core.data.Offset.offset(60L));

        // wait_for_file_processing: poll until 'completed'
        assertThat(pollUntilSettled(fileId, key).path("status").asString()).isEqualTo("completed");

        // wait_for_file_processing_stream: 'data: ' lines until a settled status
        Api.Response second = api.upload("/api/v1/files/", "mango.txt", text("Mangoes are sweet."), key);
        assertThat(second.status()).as(second.text()).isEqualTo(200);
        List<JsonNode> events = stream(second.json().path("id").asString(), key);
        assertThat(events).isNotEmpty();
        assertThat(events.getLast().path("status").asString()).isEqualTo("completed");
        assertThat(events.subList(0, events.size() - 1)).allMatch(e -> e.path("status").asString().equals("pending"));

        // GET /api/v1/files/{id}: Open WebUI's fields and Atrium's, one object
        JsonNode read = api.get("/api/v1/files/" + fileId, key).json();
        assertThat(read.path("data").path("status").asString()).isEqualTo("completed");
        assertThat(read.path("filename").asString()).isEqualTo(read.path("name").asString());
        assertThat(read.path("indexes").get(0).path("status").asString()).isEqualTo("ready");
        assertThat(read.path("updated_at").asLong()).isGreaterThanOrEqualTo(read.path("created_at").asLong());
        assertThat(read.has("status")).isFalse();

        // The uploads are held by a hidden collection: no listing shows it.
        assertThat(api.get("/api/v1/knowledge/", key).json().path("total").asLong()).isZero();
        assertThat(api.get("/api/v1/collections", key).json().path("total").asLong()).isZero();

        Api.Response created = api.post("/api/v1/knowledge/create", Map.of("name", "Fruit",
                "description", "Notes on fruit"), key);
        assertThat(created.status()).as(created.text()).isEqualTo(200);
        String knowledgeId = created.json().path("id").asString();
        assertThat(created.json().path("user_id").asString()).isEqualTo(owner.id().toString());
        assertThat(created.json().path("files").isNull()).isTrue();
        assertThat(created.json().path("write_access").asBoolean()).isTrue();

        // add_file_to_knowledge: {'file_id': file_id}
        Api.Response added = api.post("/api/v1/knowledge/" + knowledgeId + "/file/add", Map.of("file_id", fileId),
                key);
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(fileIds(added.json())).containsExactly(fileId);
        assertThat(api.post("/api/v1/knowledge/" + knowledgeId + "/file/add", Map.of("file_id", fileId), key)
                .status()).isEqualTo(200);

        JsonNode knowledgeBase = api.get("/api/v1/knowledge/" + knowledgeId, key).json();
        assertThat(knowledgeBase.path("name").asString()).isEqualTo("Fruit");
        assertThat(knowledgeBase.path("files").get(0).path("meta").path("name").asString())
                .isEqualTo("kiwi-notes.txt");
        assertThat(knowledgeBase.path("files").get(0).path("status").asString()).isEqualTo("completed");
        JsonNode listed = api.get("/api/v1/knowledge/", key).json();
        assertThat(listed.path("total").asLong()).isEqualTo(1);
        assertThat(listed.path("items").get(0).path("id").asString()).isEqualTo(knowledgeId);
        assertThat(api.post("/api/v1/retrieval", Map.of("query", "kiwi", "collectionIds", List.of(knowledgeId)),
                key).text()).contains("Kiwis are green inside.");

        // Chat with the knowledge base, then with the file alone, as Open WebUI's docs do (POST /api/chat/completions
        // with "files"): the passage reaches the model in its system message.
        FakeChatServer provider = FakeChatServer.start().models("m");
        TestUsers.Account admin = users.admin();
        String connection = "owui-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response registered = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(registered.status()).as(registered.text()).isEqualTo(201);
        try {
            assertThat(api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key",
                    "name", "mine", "secret", "sk-upstream-0123456789abcdef"), key).status()).isEqualTo(201);
            provider.enqueue(FakeChatServer.Script.text("Green inside."), FakeChatServer.Script.text("Green."));
            for (Map<String, String> reference : List.of(Map.of("type", "collection", "id", knowledgeId),
                    Map.of("type", "file", "id", fileId))) {
                Api.Response answered = api.post("/api/chat/completions", Map.of("model", connection + "/m",
                        "messages", List.of(Map.of("role", "user", "content", "What colour are kiwis inside?")),
                        "files", List.of(reference)), key);
                assertThat(answered.status()).as(answered.text()).isEqualTo(200);
                assertThat(answered.json().path("choices").get(0).path("message").path("content").asString())
                        .isNotBlank();
                assertThat(provider.lastChat().body().path("messages").get(0).path("content").toString())
                        .as("grounded on the %s", reference.get("type")).contains("Kiwis are green inside.");
            }
        } finally {
            api.delete("/api/v1/connections/" + registered.json().path("id").asString(), admin.token());
            provider.close();
        }

        Api.Response removed = api.post("/api/v1/knowledge/" + knowledgeId + "/file/remove?delete_file=false",
                Map.of("file_id", fileId), key);
        assertThat(removed.status()).as(removed.text()).isEqualTo(200);
        assertThat(fileIds(removed.json())).isEmpty();
        assertThat(api.get("/api/v1/files/" + fileId, key).status()).isEqualTo(200);

        assertThat(api.delete("/api/v1/files/" + fileId, key).status()).isEqualTo(204);
        assertProblem(api.get("/api/v1/files/" + fileId, key), 404, "file_not_found");
        assertProblem(api.get("/api/v1/files/" + fileId + "/process/status", key), 404, "file_not_found");

        Api.Response deleted = api.delete("/api/v1/knowledge/" + knowledgeId + "/delete", key);
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
        assertThat(deleted.text()).isEqualTo("true");
        assertProblem(api.get("/api/v1/knowledge/" + knowledgeId, key), 404, "collection_not_found");
        assertThat(jdbc.sql("select count(*) from files where id = :id").param("id", UUID.fromString(fileId))
                .query(Long.class).single()).isZero();
    }

    @Test
    void removingWithDeleteFileDeletesTheCallersOwnFileOnlyAndAnAccountTakesItsUploadsAlong() {
        TestUsers.Account owner = team().member();
        String key = apiKey(owner);
        String fileId = settledUpload(key, "papaya.txt", "Papayas are orange.");
        String knowledgeId = api.post("/api/v1/knowledge/create", Map.of("name", "Kept", "description", ""), key)
                .json().path("id").asString();
        api.post("/api/v1/knowledge/" + knowledgeId + "/file/add", Map.of("file_id", fileId), key);

        assertThat(api.post("/api/v1/knowledge/" + knowledgeId + "/file/remove", Map.of("file_id", fileId), key)
                .status()).isEqualTo(200);
        assertProblem(api.get("/api/v1/files/" + fileId, key), 404, "file_not_found");
        assertProblem(api.post("/api/v1/knowledge/" + knowledgeId + "/file/remove", Map.of("file_id", fileId), key),
                404, "file_not_found");

        String kept = settledUpload(key, "lichen.txt", "Lichen grows slowly.");
        UUID uploads = jdbc.sql("select collection_id from collection_files where file_id = :f")
                .param("f", UUID.fromString(kept)).query(UUID.class).single();
        assertThat(api.delete("/api/v1/users/" + owner.id(), users.admin().token()).status()).isEqualTo(204);
        assertThat(jdbc.sql("select count(*) from collections where id = :c").param("c", uploads).query(Long.class)
                .single()).isZero();
        assertThat(jdbc.sql("select count(*) from files where id = :f").param("f", UUID.fromString(kept))
                .query(Long.class).single()).isZero();
    }

    @Test
    void uploadWithoutBackgroundProcessingAnswersOnceSettledAndRefusesWhatAtriumRefuses() {
        String key = apiKey(team().member());
        Api.Response settled = api.upload("/api/v1/files/?process=true&process_in_background=false", "granite.txt",
                text("Granite is hard."), key);
        assertThat(settled.status()).as(settled.text()).isEqualTo(200);
        assertThat(settled.json().path("data").path("status").asString()).isEqualTo("completed");

        assertProblem(api.multipart("/api/v1/files/", List.of(Api.Part.metadata("{}")), key), 400,
                "invalid_parameter");
        assertProblem(api.multipart("/api/v1/files/", List.of(Api.Part.file("a.txt", text("a")),
                Api.Part.file("b.txt", text("b"))), key), 400, "invalid_parameter");
        assertProblem(api.multipart("/api/v1/files/", List.of(Api.Part.file("a.txt", text("a")),
                Api.Part.metadata("{\"year\": 2026}")), key), 400, "validation_failed");
        assertProblem(api.upload("/api/v1/files/", "empty.txt", new byte[0], key), 400, "file_empty");
        assertProblem(api.upload("/api/v1/files/", "x.bin", new byte[] {0, 1, 2, 3, (byte) 0xFF, 0, 7}, key), 415,
                "unsupported_file_type");
        assertThat(api.upload("/api/v1/files/", "a.txt", text("a"), null).status()).isEqualTo(401);
    }

    @Test
    void aFileAboveTheSizeLimitIsRefusedWith413() throws Exception {
        String key = apiKey(users.user());
        long size = 100L * 1024 * 1024 + 1;
        String boundary = "owui-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\""
                + "\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> refused = CLIENT.send(HttpRequest.newBuilder(URI.create(api.baseUrl()
                        + "/api/v1/files/")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.InputStream() {
                                    private long left = size;

                                    @Override
                                    public int read() {
                                        return left-- > 0 ? 'a' : -1;
                                    }
                                }), size),
                        HttpRequest.BodyPublishers.ofByteArray(tail))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
        assertThat(JSON.readTree(refused.body()).path("code").asString()).isEqualTo("file_too_large");
        assertThat(JSON.readTree(refused.body()).path("detail").asString()).isNotBlank();
    }

    @Test
    void unknownIdsAndOtherUsersFilesAndKnowledgeAreNotFoundAndBadBodiesAreRefused() throws Exception {
        Team team = team();
        String key = apiKey(team.member());
        String strangerKey = apiKey(team.member());
        String fileId = settledUpload(key, "saffron.txt", "Saffron is costly.");
        String knowledgeId = api.post("/api/v1/knowledge/create", Map.of("name", "Spices", "description", "Spice"),
                key).json().path("id").asString();
        String unknown = UUID.randomUUID().toString();

        for (String path : List.of("/api/v1/files/" + unknown, "/api/v1/files/" + unknown + "/process/status",
                "/api/v1/files/" + fileId, "/api/v1/files/" + fileId + "/process/status",
                "/api/v1/files/" + fileId + "/process/status?stream=true")) {
            assertProblem(api.get(path, strangerKey), 404, "file_not_found");
        }
        for (String path : List.of("/api/v1/knowledge/" + unknown, "/api/v1/knowledge/" + knowledgeId)) {
            assertProblem(api.get(path, strangerKey), 404, "collection_not_found");
            assertProblem(api.delete(path + "/delete", strangerKey), 404, "collection_not_found");
            assertProblem(api.post(path + "/file/add", Map.of("file_id", fileId), strangerKey), 404,
                    "collection_not_found");
            assertProblem(api.post(path + "/file/remove", Map.of("file_id", fileId), strangerKey), 404,
                    "collection_not_found");
        }
        String strangersKnowledge = api.post("/api/v1/knowledge/create", Map.of("name", "Mine", "description", ""),
                strangerKey).json().path("id").asString();
        assertProblem(api.post("/api/v1/knowledge/" + strangersKnowledge + "/file/add", Map.of("file_id", fileId),
                strangerKey), 404, "file_not_found");
        assertProblem(api.post("/api/v1/knowledge/" + knowledgeId + "/file/add", Map.of("file_id", unknown), key),
                404, "file_not_found");
        assertProblem(api.post("/api/v1/knowledge/" + knowledgeId + "/file/remove", Map.of("file_id", fileId), key),
                404, "file_not_found");
        // Atrium's delete: a file the caller cannot see answers 204 and stays.
        assertThat(api.delete("/api/v1/files/" + fileId, strangerKey).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/files/" + fileId, key).status()).isEqualTo(200);

        String add = "/api/v1/knowledge/" + knowledgeId + "/file/add";
        assertThat(api.post(add, Map.of("file_id", "not-a-uuid"), key).status()).isEqualTo(400);
        assertProblem(api.post(add, Map.of(), key), 400, "validation_failed");
        assertProblem(api.post(add, Map.of("file_id", fileId, "directory_id", "d".repeat(256)), key), 400,
                "validation_failed");
        assertThat(api.get("/api/v1/files/not-a-uuid", key).status()).isEqualTo(400);
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("name", " ", "description", ""),
                Map.of("description", "none"), Map.of("name", "n".repeat(201), "description", ""),
                Map.of("name", "ok", "description", "d".repeat(2001)), Map.of("name", "a\u202Eb", "description", ""))) {
            assertProblem(api.post("/api/v1/knowledge/create", bad, key), 400, "validation_failed");
        }
        assertProblem(api.get("/api/v1/knowledge/?page=0", key), 400, "validation_failed");
        assertThat(api.get("/api/v1/knowledge/", null).status()).isEqualTo(401);
        assertThat(JSON.readTree(api.get("/api/v1/files/" + unknown, key).text()).path("detail").asString())
                .isNotBlank();
    }

    @Test
    void aReaderOfAGroupsKnowledgeMayNeitherChangeNorDeleteIt() {
        Team team = team();
        TestUsers.Account admin = team.admin();
        UUID group = team.group();
        TestUsers.Account reader = team.member();
        String collection = api.post("/api/v1/collections", Map.of("name", "Team", "groupId", group), admin.token())
                .json().path("id").asString();
        String readerKey = apiKey(reader);
        String fileId = settledUpload(readerKey, "violin.txt", "Violins have four strings.");

        JsonNode seen = api.get("/api/v1/knowledge/" + collection, readerKey).json();
        assertThat(seen.path("write_access").asBoolean()).isFalse();
        assertThat(seen.path("user_id").isNull()).isTrue();
        assertThat(seen.path("access_control").path("read").path("group_ids").get(0).asString())
                .isEqualTo(group.toString());
        assertProblem(api.post("/api/v1/knowledge/" + collection + "/file/add", Map.of("file_id", fileId),
                readerKey), 403, "forbidden");
        assertProblem(api.post("/api/v1/knowledge/" + collection + "/file/remove", Map.of("file_id", fileId),
                readerKey), 403, "forbidden");
        assertProblem(api.delete("/api/v1/knowledge/" + collection + "/delete", readerKey), 403, "forbidden");
    }

    @Test
    void aFileNoEmbeddingModelIndexesIsFailedWithTheReason() throws Exception {
        String key = apiKey(users.user());
        Api.Response uploaded = api.upload("/api/v1/files/", "tundra.txt", text("Tundra is cold."), key);
        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(200);
        String fileId = uploaded.json().path("id").asString();

        JsonNode status = pollUntilSettled(fileId, key);
        assertThat(status.path("status").asString()).isEqualTo("failed");
        assertThat(status.path("error").asString()).isNotBlank();
        List<JsonNode> events = stream(fileId, key);
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().path("status").asString()).isEqualTo("failed");
        assertThat(events.getFirst().path("error").asString()).isNotBlank();
    }

    @Test
    void statusStreamsAreBoundedPerCallerAndEndWithNotFoundWhenTheFileIsDeleted() throws Exception {
        String key = apiKey(team().member());
        String fileId = settledUpload(key, "held.txt", "Kiwis held back.");
        // Held in "embedding" with no job to move it: the streams stay open until the file goes.
        jdbc.sql("update file_indexes set status = 'embedding' where file_id = :f")
                .param("f", UUID.fromString(fileId)).update();
        String path = "/api/v1/files/" + fileId + "/process/status?stream=true";
        List<HttpResponse<Stream<String>>> open = new ArrayList<>();
        try {
            for (int i = 0; i < ProcessingWatch.MAX_STREAMS_PER_USER; i++) {
                HttpResponse<Stream<String>> response = CLIENT.send(HttpRequest.newBuilder(URI.create(api.baseUrl()
                        + path)).header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofLines());
                assertThat(response.statusCode()).isEqualTo(200);
                open.add(response);
            }
            Api.Response refused = api.get(path, key);
            assertProblem(refused, 429, "too_many_streams");
            assertThat(refused.header("retry-after")).isNotBlank();

            assertThat(api.delete("/api/v1/files/" + fileId, key).status()).isEqualTo(204);
            List<JsonNode> events = new ArrayList<>();
            try (Stream<String> lines = open.getFirst().body()) {
                lines.filter(line -> line.startsWith("data: "))
                        .forEach(line -> events.add(JSON.readTree(line.substring(6))));
            }
            assertThat(events).extracting(e -> e.path("status").asString()).containsExactly("pending", "not_found");
        } finally {
            open.forEach(response -> response.body().close());
        }
    }

    /** A group whose admins chose the fake keyword embedding model and gave it a credential. */
    private record Team(TestUsers.Account admin, UUID group, TestUsers accounts) {

        /** A new user in the group: their personal collections, uploads included, embed with its model. */
        TestUsers.Account member() {
            TestUsers.Account member = accounts.user();
            accounts.member(admin, group, member, "member");
            return member;
        }
    }

    private Team team() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "owui");
        Knowledge knowledge = new Knowledge(api);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords");
        knowledge.addGroupCredential(admin, group, "fake", "sk-owui-secret-0001");
        return new Team(admin, group, users);
    }

    private String apiKey(TestUsers.Account account) {
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "open-webui script"), account.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().path("key").asString();
    }

    private String settledUpload(String key, String name, String content) {
        Api.Response uploaded = api.upload("/api/v1/files/", name, text(content), key);
        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(200);
        String id = uploaded.json().path("id").asString();
        assertThat(pollUntilSettled(id, key).path("status").asString()).isEqualTo("completed");
        return id;
    }

    private JsonNode pollUntilSettled(String fileId, String key) {
        Instant deadline = Instant.now().plusSeconds(60);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            Api.Response status = api.get("/api/v1/files/" + fileId + "/process/status", key);
            assertThat(status.status()).as(status.text()).isEqualTo(200);
            last = status.json();
            if (!last.path("status").asString().equals("pending")) {
                return last;
            }
            sleep();
        }
        throw new AssertionError("not settled in 60 s: " + last);
    }

    /** Reads the stream to its end, as the documented client does: lines starting with {@code data: }. */
    private List<JsonNode> stream(String fileId, String key) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = CLIENT.send(HttpRequest.newBuilder(URI.create(api.baseUrl()
                        + "/api/v1/files/" + fileId + "/process/status?stream=true"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        List<JsonNode> events = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            lines.filter(line -> !line.isEmpty() && !line.startsWith(":")).forEach(line -> {
                assertThat(line).startsWith("data: ");
                events.add(JSON.readTree(line.substring(6)));
            });
        }
        return events;
    }

    private static List<String> fileIds(JsonNode knowledge) {
        List<String> ids = new ArrayList<>();
        knowledge.path("files").forEach(f -> ids.add(f.path("id").asString()));
        return ids;
    }

    private static void assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.json().path("code").asString()).as(response.text()).isEqualTo(code);
        assertThat(response.json().path("detail").asString()).as(response.text()).isNotBlank();
    }

    private static byte[] text(String content) {
        return content.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
