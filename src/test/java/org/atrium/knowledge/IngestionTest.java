package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.Documents;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upload and background ingestion of every supported document type over HTTP, the checks an upload goes through
 * (type from content, empty, too large, no part), where the bytes are stored, and how provider failures end.
 *
 * <p>The fake embedding server is shared by every test in the JVM: failures are scripted with a marker unique to
 * the test wherever possible, and every script is reset after each test.
 */
class IngestionTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Statuses an upload may answer with before its job was picked up (the scheduler may be faster than the read). */
    private static final Set<String> NOT_YET_SETTLED = Set.of("queued", "extracting", "embedding");

    private Knowledge knowledge;
    private TestUsers.Account admin;
    private TestUsers.Account member;
    private UUID collection;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
        admin = users.admin();
        member = users.user();
        UUID group = users.group(admin, "ingest");
        users.member(admin, group, member, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-ingest-secret-" + UUID.randomUUID());
        collection = knowledge.groupCollection(admin, group, "Ingestion");
        // Members read a group's collections; the group is granted write access so its members may upload.
        Api.Response granted = api.put("/api/v1/collections/" + collection + "/grants/groups/" + group,
                java.util.Map.of("access", "write"), admin.token());
        assertThat(granted.status()).as(granted.text()).isEqualTo(200);
    }

    @AfterEach
    void resetEmbeddings() {
        EMBEDDINGS.reset();
    }

    static Stream<Arguments> documents() {
        String filler = "This paragraph only pads the document so that it is about something else entirely.";
        return Stream.of(
                Arguments.of("report.pdf", "application/pdf", "kiwi",
                        Documents.pdf("Orchard report. " + filler, "The kiwi vines flowered early this year.")),
                Arguments.of("memo.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "mango", Documents.docx("Memo", filler, "The mango shipment arrives on Tuesday.")),
                Arguments.of("deck.pptx",
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation", "papaya",
                        Documents.pptx("Quarterly review", "Papaya sales doubled in the third quarter.")),
                Arguments.of("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "lichen", Documents.xlsx(new String[]{"Species", "Count"},
                                new String[]{"lichen on granite walls", "42"})),
                Arguments.of("page.html", "text/html", "violin",
                        Documents.html("Concert", filler, "A violin solo opened the evening.")),
                Arguments.of("notes.md", "text/", "tundra",
                        Documents.markdown("Field notes", filler, "The tundra thaws in late spring.")),
                Arguments.of("plain.txt", "text/plain", "saffron",
                        Documents.text("Spice list.\n\nSaffron is the most expensive spice by weight.\n")),
                Arguments.of("table.csv", "text/", "granite",
                        Documents.csv(new String[]{"material", "use"}, new String[]{"granite", "kitchen counters"},
                                new String[]{"oak", "floors"})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void everySupportedTypeIsIngestedAndFoundByAKeywordItContains(String name, String mediaType, String keyword,
                                                                  byte[] content) {
        Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", name, content,
                member.token());

        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
        assertThat(uploaded.json().path("status").asString()).isIn(NOT_YET_SETTLED);
        assertThat(uploaded.json().path("mediaType").asString()).startsWith(mediaType);
        UUID fileId = UUID.fromString(uploaded.json().path("fileId").asString());
        JsonNode settled = knowledge.awaitSettled(member, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        assertThat(settled.path("chunksTotal").asInt()).isPositive();
        assertThat(settled.path("chunksDone").asInt()).isEqualTo(settled.path("chunksTotal").asInt());
        JsonNode found = knowledge.retrieve(member, keyword, 1, collection).path("chunks");
        assertThat(found.size()).as(found.toString()).isEqualTo(1);
        assertThat(found.get(0).path("fileId").asString()).isEqualTo(fileId.toString());
        assertThat(found.get(0).path("text").asString()).containsIgnoringCase(keyword);
    }

    @Test
    void uploadAnswers202WithTheFileQueuedAndWhereToFindIt() {
        String marker = "kiwi queued " + UUID.randomUUID();
        Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", "queued.txt",
                Documents.text(marker), member.token());

        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
        assertThat(uploaded.header("location")).isEqualTo("/api/v1/files/" + uploaded.json().path("fileId")
                .asString());
        // The answer is read right after the commit; the scheduler polls every 200 ms and may, rarely, have claimed
        // the job in between, so "extracting" is tolerated, but never a settled status.
        assertThat(uploaded.json().path("status").asString()).isIn("queued", "extracting");
        assertThat(uploaded.json().path("chunksDone").asInt()).isZero();
        UUID fileId = UUID.fromString(uploaded.json().path("fileId").asString());
        assertThat(knowledge.awaitSettled(member, collection, fileId).path("status").asString()).isEqualTo("ready");
    }

    @Test
    void typeIsDetectedFromTheContentNotFromTheName() {
        UUID fileId = knowledge.upload(member, collection, "notes.txt",
                Documents.pdf("Disguised document about kiwi farming."));

        assertThat(knowledge.listed(member, collection, fileId).path("mediaType").asString())
                .isEqualTo("application/pdf");
        Api.Response file = api.get("/api/v1/files/" + fileId, member.token());
        assertThat(file.json().path("mediaType").asString()).isEqualTo("application/pdf");
        assertThat(file.json().path("name").asString()).isEqualTo("notes.txt");
        assertThat(knowledge.awaitSettled(member, collection, fileId).path("status").asString()).isEqualTo("ready");
        assertThat(knowledge.retrieve(member, "kiwi", 1, collection).path("chunks").get(0).path("text").asString())
                .contains("kiwi farming");
    }

    @Test
    void binaryContentIsRefusedWhateverItsNameAndNothingIsStored() throws IOException {
        Set<Path> storedBefore = storedObjects();
        String name = "harmless-" + UUID.randomUUID();

        for (byte[] content : List.of(Documents.png(), Documents.zip("kiwi inside a zip"), Documents.executable())) {
            Api.Response refused = api.upload("/api/v1/collections/" + collection + "/files", name + ".txt",
                    content, member.token());

            assertThat(refused.status()).as(refused.text()).isEqualTo(415);
            assertThat(refused.json().path("code").asString()).isEqualTo("unsupported_file_type");
            assertThat(refused.header("content-type")).startsWith("application/problem+json");
        }
        assertThat(jdbc.sql("select count(*) from files where name like :name").param("name", name + "%")
                .query(Long.class).single()).isZero();
        assertThat(listedCount()).isZero();
        assertThat(storedObjects()).as("no object was written to the storage directory")
                .isSubsetOf(storedBefore);
    }

    @Test
    void emptyFileIsRefused() {
        Api.Response refused = api.upload("/api/v1/collections/" + collection + "/files", "empty.txt", new byte[0],
                member.token());

        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        assertThat(refused.json().path("code").asString()).isEqualTo("file_empty");
        assertThat(listedCount()).isZero();
    }

    @Test
    void uploadWithoutAFilePartIsRefused() {
        String boundary = "atrium-test-" + UUID.randomUUID();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.txt\""
                + "\r\nContent-Type: text/plain\r\n\r\nkiwi\r\n--" + boundary + "--\r\n";
        HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/api/v1/collections/" + collection
                        + "/files")).header("Authorization", "Bearer " + member.token())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)), HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("\"code\":\"invalid_parameter\"").contains("file");
        assertThat(listedCount()).isZero();
    }

    @Test
    void fileAboveTheSizeLimitIsRefusedWith413() {
        // The shared context keeps the default limit of 100 MB; the body is generated while it is sent, so this costs
        // a second of loopback traffic and a temporary file on the server, not 100 MB of heap.
        long size = 100L * 1024 * 1024 + 1;
        String boundary = "atrium-test-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\""
                + "\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/api/v1/collections/" + collection
                        + "/files")).header("Authorization", "Bearer " + member.token())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new Letters(size)), size),
                        HttpRequest.BodyPublishers.ofByteArray(tail))), HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
        assertThat(refused.body()).contains("\"code\":\"file_too_large\"");
        assertThat(listedCount()).isZero();
    }

    @Test
    void fileNamesLoseBidirectionalControlsAndAreNeverCutInsideACharacter() {
        UUID disguised = knowledge.upload(member, collection, "invoice\u202Efdp.exe\u2066.pdf",
                Documents.pdf("Invoice for papaya."));
        assertThat(knowledge.listed(member, collection, disguised).path("name").asString())
                .isEqualTo("invoicefdp.exe.pdf");

        String emoji = "\uD83D\uDCC4";
        // 255 UTF-16 units end in the middle of the 127th emoji: the name keeps 126 whole ones.
        UUID longName = knowledge.upload(member, collection, "ab" + emoji.repeat(200) + ".pdf",
                Documents.pdf("Papaya ledger."));
        assertThat(knowledge.listed(member, collection, longName).path("name").asString())
                .isEqualTo("ab" + emoji.repeat(126));
    }

    @Test
    void storedNameNeverComesFromTheClientAndDownloadGivesTheBytesBack() {
        byte[] content = Documents.pdf("Travel notes about papaya markets.");

        UUID fileId = knowledge.upload(member, collection, "../../x.pdf", content);

        String storageKey = jdbc.sql("select storage_key from files where id = :id").param("id", fileId)
                .query(String.class).single();
        assertThat(storageKey).isEqualTo("files/" + fileId);
        assertThat(knowledge.listed(member, collection, fileId).path("name").asString()).isEqualTo("x.pdf");
        Path outside = Path.of(System.getProperty("atrium.data-dir")).resolve("../../x.pdf").normalize();
        assertThat(outside).doesNotExist();
        HttpResponse<byte[]> download = send(HttpRequest.newBuilder(uri("/api/v1/files/" + fileId + "/content"))
                .header("Authorization", "Bearer " + member.token()).GET(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
        assertThat(download.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment").contains("x.pdf").doesNotContain("..");
        assertThat(download.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("application/pdf");
    }

    @Test
    void rateLimitedProviderIsRetriedAndTheFileBecomesReady() {
        EMBEDDINGS.failNext(2, 429);
        int requestsBefore = EMBEDDINGS.requests();

        UUID fileId = knowledge.upload(member, collection, "limited.txt", Documents.text("Kiwi after a rate limit."));

        JsonNode settled = knowledge.awaitSettled(member, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        assertThat(EMBEDDINGS.requests() - requestsBefore).as("two refused requests, then the one that worked")
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void serverErrorsBeyondTheClientsRetriesAreRetriedByTheJobUntilReady() {
        // The client tries each call 5 times (atrium.providers.embedding.max-attempts); 7 failures make the first
        // run of the job fail and the second one, a second later, succeed after two more.
        EMBEDDINGS.failNext(7, 500);

        UUID fileId = knowledge.upload(member, collection, "flaky.txt", Documents.text("Mango after an outage."));

        JsonNode settled = knowledge.awaitSettled(member, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        assertThat(knowledge.retrieve(member, "mango", 1, collection).path("chunks").get(0).path("fileId")
                .asString()).isEqualTo(fileId.toString());
    }

    @Test
    void serverErrorsThatNeverEndFailTheFileWithAReadableReasonAfterTheLastAttempt() {
        String marker = "outage-" + UUID.randomUUID();
        EMBEDDINGS.failWhenInputContains(marker, 500);

        UUID fileId = knowledge.upload(member, collection, "down.txt", Documents.text("Lichen " + marker));

        JsonNode settled = knowledge.await(member, collection, fileId,
                item -> Knowledge.SETTLED.contains(item.path("status").asString()), Duration.ofSeconds(45));
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("failed");
        assertThat(settled.path("failureCode").asString()).isEqualTo("embedding_failed");
        assertThat(settled.path("failureReason").asString()).contains("500").doesNotContain("Attempt");
    }

    @Test
    void refusedCredentialFailsTheFileWithoutRevealingTheSecret() {
        TestUsers.Account groupAdmin = users.admin();
        UUID group = users.group(groupAdmin, "refused");
        String secret = "sk-refused-" + UUID.randomUUID();
        knowledge.setGroupEmbedding(groupAdmin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(groupAdmin, group, "fake", secret);
        UUID refusedCollection = knowledge.groupCollection(groupAdmin, group, "Refused");
        String marker = "refused-" + UUID.randomUUID();
        // The fake answers 401 quoting the key it received, as careless gateways do.
        EMBEDDINGS.failWhenInputContains(marker, 401);

        UUID fileId = knowledge.upload(groupAdmin, refusedCollection, "refused.txt",
                Documents.text("Violin " + marker));

        JsonNode settled = knowledge.awaitSettled(groupAdmin, refusedCollection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("failed");
        assertThat(settled.path("failureReason").asString()).contains("refused").contains("401")
                .contains("credential").doesNotContain(secret);
        assertThat(api.get("/api/v1/files/" + fileId, groupAdmin.token()).text()).doesNotContain(secret);
    }

    @Test
    void documentTheProviderRefusesFailsForGood() {
        String marker = "too-long-" + UUID.randomUUID();
        EMBEDDINGS.failWhenInputContains(marker, 400);
        int requestsBefore = EMBEDDINGS.requests();

        UUID fileId = knowledge.upload(member, collection, "refused.txt", Documents.text("Tundra " + marker));

        JsonNode settled = knowledge.awaitSettled(member, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("failed");
        assertThat(settled.path("failureCode").asString()).isEqualTo("embedding_failed");
        assertThat(settled.path("failureReason").asString()).contains("400");
        assertThat(EMBEDDINGS.requests() - requestsBefore).as("a 400 is not retried").isEqualTo(1);
    }

    // ---------------------------------------------------------------- helpers

    private long listedCount() {
        Api.Response listed = api.get("/api/v1/collections/" + collection + "/files", member.token());
        assertThat(listed.status()).isEqualTo(200);
        return listed.json().path("total").asLong();
    }

    private static Set<Path> storedObjects() throws IOException {
        Path root = Path.of(System.getProperty("atrium.data-dir")).resolve("files");
        if (!Files.exists(root)) {
            return Set.of();
        }
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
    }

    private URI uri(String path) {
        return URI.create(api.baseUrl() + path);
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            return CLIENT.send(request.build(), handler);
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** {@code size} bytes of text, generated as they are read. */
    private static final class Letters extends InputStream {
        private long remaining;

        Letters(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            remaining--;
            return 'a';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (remaining <= 0) {
                return -1;
            }
            int count = (int) Math.min(length, remaining);
            java.util.Arrays.fill(buffer, offset, offset + count, (byte) 'a');
            remaining -= count;
            return count;
        }
    }
}
