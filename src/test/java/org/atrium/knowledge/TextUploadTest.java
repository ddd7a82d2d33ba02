package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.Documents;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text documents that type detection from the bytes alone used to refuse, uploaded over HTTP with the name and
 * Content-Type a client gives them, ingested, and found with exactly their text: prose that Tika takes for a news
 * message, text in legacy character sets and UTF-16 or UTF-32 without a byte order mark. Binary data stays refused
 * whatever it is called.
 */
class TextUploadTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Knowledge knowledge;
    private TestUsers.Account admin;
    private UUID collection;

    /** One document to upload: its name, its part's Content-Type, its text and how it is encoded. */
    private record Upload(String name, String contentType, String charset, String text, String keyword,
                          String storedType) {
    }

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
        admin = users.admin();
        UUID group = users.group(admin, "texts");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-texts-secret-" + UUID.randomUUID());
        collection = knowledge.groupCollection(admin, group, "Texts");
    }

    @Test
    void textThatLooksLikeAMessageOrIsInALegacyCharacterSetIsIngestedWithItsExactText() {
        List<Upload> uploads = List.of(
                new Upload("article.txt", "text/plain", "UTF-8", "Article 7. The kiwi vines flowered early this "
                        + "year.\nThe harvest starts in May.", "kiwi", "text/plain"),
                new Upload("notes", "text/markdown", "UTF-8", "Path: the garden path passes the mango trees.\n\n"
                        + "- *watered* daily", "mango", "text/markdown"),
                new Upload("russian.txt", "application/octet-stream", "windows-1251", "Папайя (papaya) — "
                        + "тропический фрукт.\nЕё выращивают в Бразилии и Индии.", "papaya", "text/plain"),
                new Upload("japanese.txt", "text/plain", "Shift_JIS", "苔（lichen）は岩の上に育ちます。\n"
                        + "東京の公園でもよく見られます。", "lichen", "text/plain"),
                new Upload("utf16le.txt", "text/plain", "UTF-16LE", "Гранит (granite) — магматическая горная "
                        + "порода.\nОн очень прочный.", "granite", "text/plain"),
                new Upload("utf16be", "application/octet-stream", "UTF-16BE", "Le violon (violin) de Zoë a "
                        + "été réparé à Paris.\nIl sonne très bien.", "violin", "text/plain"),
                new Upload("utf32", "application/octet-stream", "UTF-32LE", "サフラン（saffron）は高価な香辛料です。"
                        + "\nスペインとイランで多く作られます。", "saffron", "text/plain"),
                new Upload("french.csv", "text/csv", "windows-1252", "mot;sens\ntundra;la toundra « gelée » "
                        + "l’été", "tundra", "text/csv"));
        Map<Upload, UUID> ids = new LinkedHashMap<>();
        for (Upload upload : uploads) {
            HttpResponse<String> answer = upload(upload.name(), upload.contentType(),
                    upload.text().getBytes(Charset.forName(upload.charset())));
            assertThat(answer.statusCode()).as(upload.name() + ": " + answer.body()).isEqualTo(202);
            JsonNode file = new Api.Response(answer.statusCode(), Map.of(), answer.body()).json();
            assertThat(file.path("mediaType").asString()).as(upload.name()).isEqualTo(upload.storedType());
            ids.put(upload, UUID.fromString(file.path("fileId").asString()));
        }
        for (Map.Entry<Upload, UUID> entry : ids.entrySet()) {
            Upload upload = entry.getKey();
            JsonNode settled = knowledge.awaitSettled(admin, collection, entry.getValue());
            assertThat(settled.path("status").asString()).as(upload.name() + ": " + settled).isEqualTo("ready");
            JsonNode found = knowledge.retrieve(admin, upload.keyword(), 1, collection).path("chunks");
            assertThat(found.size()).as(upload.name()).isEqualTo(1);
            assertThat(found.get(0).path("fileId").asString()).isEqualTo(entry.getValue().toString());
            // One chunk holds the whole short document: its text is the document's, character for character.
            assertThat(found.get(0).path("text").asString()).as(upload.name()).isEqualTo(upload.text());
        }
    }

    @Test
    void binaryContentIsRefusedEvenWhenDeclaredAsText() {
        byte[] noise = new byte[4_096];
        new Random(11).nextBytes(noise);

        HttpResponse<String> refused = upload("notes.txt", "text/plain", noise);

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(415);
        assertThat(refused.body()).contains("\"code\":\"unsupported_file_type\"");
        HttpResponse<String> pdf = upload("notes.txt", "text/plain", Documents.pdf("A kiwi in disguise."));
        assertThat(pdf.statusCode()).as(pdf.body()).isEqualTo(202);
        assertThat(pdf.body()).contains("\"mediaType\":\"application/pdf\"");
    }

    /** Uploads one file as a browser would: its name and the Content-Type of its part. */
    private HttpResponse<String> upload(String name, String contentType, byte[] content) {
        String boundary = "atrium-test-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/v1/collections/"
                        + collection + "/files"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + admin.token())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofByteArray(content), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
