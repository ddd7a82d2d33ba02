package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.Documents;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads beyond one plain file: metadata given with the upload (stored, returned, replaced, refused when out of
 * bounds), several files in one request each with its own outcome, and the collection's status counts and filter.
 */
class FileUploadsTest extends IntegrationTest {

    private Knowledge knowledge;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
    }

    @Test
    void metadataGivenAtUploadIsStoredReturnedAndReplacedAndBadMetadataStoresNothing() {
        TestUsers.Account owner = users.user();
        TestUsers.Account stranger = users.user();
        UUID collection = knowledge.personalCollection(owner, "Metadata");
        String files = "/api/v1/collections/" + collection + "/files";

        Api.Response uploaded = api.multipart(files, List.of(Api.Part.file("notes.txt", Documents.text("kiwi")),
                Api.Part.metadata("{\"year\": \"2026\", \"department\": \"Physik — Grüße\"}")), owner.token());

        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
        Map<String, String> expected = Map.of("department", "Physik — Grüße", "year", "2026");
        assertThat(metadata(uploaded.json())).isEqualTo(expected);
        UUID fileId = UUID.fromString(uploaded.json().path("fileId").asString());
        assertThat(metadata(api.get("/api/v1/files/" + fileId, owner.token()).json())).isEqualTo(expected);
        assertThat(metadata(knowledge.listed(owner, collection, fileId))).isEqualTo(expected);

        String tooManyKeys = IntStream.range(0, 33).mapToObj(i -> "\"k" + i + "\": \"v\"")
                .collect(Collectors.joining(", ", "{", "}"));
        for (String bad : List.of("{\"year\": ", "[\"a\"]", "{\"year\": 2026}", "{\"tags\": [\"a\"]}",
                "{\"a\": null}", tooManyKeys, "{\"v\": \"" + "x".repeat(513) + "\"}",
                "{\"" + "k".repeat(65) + "\": \"v\"}", "{\"a b\": \"v\"}", "{\"bell\": \"ring\\u0007\"}",
                "{\"nul\": \"a\\u0000b\"}")) {
            Api.Response refused = api.multipart(files, List.of(Api.Part.file("bad.txt", Documents.text("mango")),
                    Api.Part.metadata(bad)), owner.token());
            assertThat(refused.status()).as("%s: %s", bad, refused.text()).isEqualTo(400);
            assertThat(refused.json().path("code").asString()).isEqualTo("validation_failed");
            assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("metadata");
        }
        Api.Response notUtf8 = api.multipart(files, List.of(Api.Part.file("bad.txt", Documents.text("mango")),
                new Api.Part("metadata", null, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'})),
                owner.token());
        assertThat(notUtf8.status()).as(notUtf8.text()).isEqualTo(400);
        assertThat(api.get(files, owner.token()).json().path("total").asLong()).isEqualTo(1);

        Api.Response replaced = api.patch("/api/v1/files/" + fileId, Map.of("metadata", Map.of("year", "2027")),
                owner.token());
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        assertThat(metadata(replaced.json())).isEqualTo(Map.of("year", "2027"));
        assertThat(metadata(knowledge.listed(owner, collection, fileId))).isEqualTo(Map.of("year", "2027"));
        Api.Response notString = api.patch("/api/v1/files/" + fileId, Map.of("metadata", Map.of("year", 2028)),
                owner.token());
        assertThat(notString.status()).as(notString.text()).isEqualTo(400);
        assertThat(notString.json().path("errors").get(0).path("field").asString()).isEqualTo("metadata");
        assertThat(api.patch("/api/v1/files/" + fileId, Map.of("metadata", Map.of("year", "1999")),
                stranger.token()).status()).isEqualTo(404);
        assertThat(metadata(api.get("/api/v1/files/" + fileId, owner.token()).json()))
                .isEqualTo(Map.of("year", "2027"));
    }

    @Test
    void batchUploadStoresEachGoodFileAndReportsEachRefusalThenCountsAndFiltersByStatus() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "batch");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-batch-" + UUID.randomUUID());
        UUID collection = knowledge.groupCollection(admin, group, "Batch");
        String batch = "/api/v1/collections/" + collection + "/files/batch";

        Api.Response response = api.multipart(batch, List.of(
                Api.Part.file("kiwi.txt", Documents.text("Kiwi orchards need shelter.")),
                Api.Part.file("picture.png", Documents.png()),
                Api.Part.file("empty.txt", new byte[0]),
                Api.Part.file("locked.pdf", Documents.encryptedPdf("secret", "Mango harvest.")),
                Api.Part.file("mango.md", Documents.markdown("Mango", "The mango harvest starts in June.")),
                Api.Part.metadata("{\"source\": \"batch\"}")), admin.token());

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        JsonNode results = response.json().path("results");
        assertThat(results.size()).isEqualTo(5);
        List<Integer> statuses = new ArrayList<>();
        results.forEach(result -> statuses.add(result.path("status").asInt()));
        assertThat(statuses).containsExactly(202, 415, 400, 202, 202);
        assertThat(results.get(1).path("problem").path("code").asString()).isEqualTo("unsupported_file_type");
        assertThat(results.get(2).path("problem").path("code").asString()).isEqualTo("file_empty");
        assertThat(results.get(1).path("name").asString()).isEqualTo("picture.png");
        assertThat(results.get(4).path("index").asInt()).isEqualTo(4);
        assertThat(metadata(results.get(4).path("file"))).isEqualTo(Map.of("source", "batch"));
        List<UUID> stored = List.of(0, 3, 4).stream()
                .map(i -> UUID.fromString(results.get(i).path("file").path("fileId").asString())).toList();
        stored.forEach(fileId -> knowledge.awaitSettled(admin, collection, fileId));

        JsonNode counts = api.get("/api/v1/collections/" + collection, admin.token()).json().path("files");
        assertThat(counts.toString()).isEqualTo(
                "{\"total\":3,\"queued\":0,\"running\":0,\"ready\":2,\"failed\":1}");
        JsonNode listed = api.get("/api/v1/collections?limit=200", admin.token()).json();
        listed.path("items").forEach(item -> {
            if (item.path("id").asString().equals(collection.toString())) {
                assertThat(item.path("files")).isEqualTo(counts);
            }
        });
        String files = "/api/v1/collections/" + collection + "/files";
        JsonNode ready = api.get(files + "?status=ready", admin.token()).json();
        assertThat(ready.path("total").asLong()).isEqualTo(2);
        assertThat(ready.path("items").findValuesAsString("fileId"))
                .containsExactlyInAnyOrder(stored.get(0).toString(), stored.get(2).toString());
        JsonNode failed = api.get(files + "?status=failed", admin.token()).json();
        assertThat(failed.path("items").findValuesAsString("fileId")).containsExactly(stored.get(1).toString());
        assertThat(api.get(files + "?status=queued", admin.token()).json().path("total").asLong()).isZero();
        assertThat(api.get(files + "?status=running", admin.token()).json().path("total").asLong()).isZero();
        Api.Response unknown = api.get(files + "?status=extracting", admin.token());
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("errors").get(0).path("field").asString()).isEqualTo("status");
    }

    @Test
    void batchRequestsBeyondTheirBoundsAreRefusedWholeAndStoreNothing() {
        TestUsers.Account owner = users.user();
        UUID collection = knowledge.personalCollection(owner, "Bounds");
        String files = "/api/v1/collections/" + collection + "/files";
        List<Api.Part> tooMany = IntStream.range(0, 101)
                .mapToObj(i -> Api.Part.file("f" + i + ".txt", Documents.text("kiwi " + i))).toList();

        Api.Response overCount = api.multipart(files + "/batch", tooMany, owner.token());
        Api.Response noFile = api.multipart(files + "/batch", List.of(Api.Part.metadata("{}")), owner.token());
        Api.Response badMetadata = api.multipart(files + "/batch", List.of(Api.Part.file("a.txt",
                Documents.text("kiwi")), Api.Part.metadata("{\"n\": 1}")), owner.token());
        Api.Response twoOnSingle = api.multipart(files, List.of(Api.Part.file("a.txt", Documents.text("kiwi")),
                Api.Part.file("b.txt", Documents.text("mango"))), owner.token());
        Api.Response keyed = api.multipart(files + "/batch", List.of(Api.Part.file("a.txt", Documents.text("kiwi"))),
                owner.token(), Map.of("Idempotency-Key", "batch-1"));

        assertThat(overCount.status()).as(overCount.text()).isEqualTo(413);
        assertThat(overCount.json().path("code").asString()).isEqualTo("too_many_files");
        assertThat(noFile.status()).as(noFile.text()).isEqualTo(400);
        assertThat(badMetadata.status()).as(badMetadata.text()).isEqualTo(400);
        assertThat(badMetadata.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(twoOnSingle.status()).as(twoOnSingle.text()).isEqualTo(400);
        assertThat(twoOnSingle.json().path("code").asString()).isEqualTo("invalid_parameter");
        assertThat(twoOnSingle.json().path("detail").asString()).contains("/files/batch");
        assertThat(keyed.status()).as(keyed.text()).isEqualTo(400);
        assertThat(keyed.json().path("detail").asString()).contains("Idempotency-Key");
        assertThat(api.get(files, owner.token()).json().path("total").asLong()).isZero();
        assertThat(api.get("/api/v1/collections/" + collection, owner.token()).json().path("files").path("total")
                .asLong()).isZero();
    }

    private static Map<String, String> metadata(JsonNode described) {
        Map<String, String> entries = new java.util.TreeMap<>();
        described.path("metadata").properties().forEach(e -> entries.put(e.getKey(), e.getValue().asString()));
        return entries;
    }
}
