package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.platform.ProblemAssertions.assertInvalidField;
import static org.atrium.platform.ProblemAssertions.assertProblem;

/**
 * Request size limits, enforced before parsing, and what Jetty refuses itself: every answer a problem detail with
 * an accurate code (the limits are listed in docs/limits.md).
 */
class RequestLimitsTest extends IntegrationTest {

    private RawHttp raw;

    @BeforeEach
    void rawClient() {
        raw = new RawHttp(api.baseUrl());
    }

    @Test
    void signInBodyAboveTheAuthLimitIsRefusedBeforeParsing() {
        Api.Response response = api.post("/api/v1/auth/signin",
                Map.of("email", "a".repeat(100_000) + "@example.org", "password", "whatever"), null);

        assertProblem("100 KB sign-in", response, 413, "payload_too_large");
    }

    @Test
    void chunkedBodyAboveTheLimitIsRefusedWhileItIsRead() {
        String json = "{\"email\": \"" + "a".repeat(64 * 1024) + "@example.org\", \"password\": \"whatever\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        for (int at = 0; at < bytes.length; at += 4096) {
            int n = Math.min(4096, bytes.length - at);
            chunked.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunked.write(bytes, at, n);
            chunked.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        Api.Response response = raw.send("POST /api/v1/auth/signin HTTP/1.1",
                Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"), chunked.toByteArray());

        assertProblem("chunked 64 KB sign-in", response, 413, "payload_too_large");
    }

    @Test
    void settingsBodyAboveItsLimitIsRefusedWhileSmallerBodiesElsewhereAreRead() {
        TestUsers.Account user = users.user();
        String prompt = "p".repeat(300 * 1024);

        Api.Response settings = api.put("/api/v1/me/settings", Map.of("settings", Map.of("systemPrompt", prompt)),
                user.token());
        Api.Response retrieval = api.post("/api/v1/retrieval", Map.of("query", prompt,
                "collectionIds", new UUID[]{UUID.randomUUID()}), user.token());

        assertProblem("300 KB settings", settings, 413, "payload_too_large");
        assertInvalidField("300 KB query", retrieval, "query");
    }

    @Test
    void bodyAboveTheDefaultLimitIsRefused() {
        TestUsers.Account admin = users.admin();

        Api.Response response = api.post("/api/v1/groups", Map.of("name", "g", "description", "d".repeat(2_000_000)),
                admin.token());

        assertProblem("2 MB group", response, 413, "payload_too_large");
    }

    @Test
    void chunkedMultipartBodyToAJsonEndpointIsRefusedUnreadAs415() {
        String part = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
                + "x".repeat(4096);
        byte[] chunk = (Integer.toHexString(part.length()) + "\r\n" + part + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        // The body never ends: an answer at all shows the server did not wait to read (or spool) it.
        Api.Response response = raw.sendUnfinished("POST /api/v1/auth/signin HTTP/1.1",
                Map.of("Content-Type", "multipart/form-data; boundary=B", "Transfer-Encoding", "chunked"), chunk);

        assertProblem("chunked multipart sign-in", response, 415, "unsupported_media_type");
    }

    @Test
    void formBodyToAJsonEndpointIsRefusedAs415() {
        TestUsers.Account admin = users.admin();
        String body = "name=g&description=d";

        Api.Response response = raw.send("POST /api/v1/groups HTTP/1.1", Map.of("Authorization",
                "Bearer " + admin.token(), "Content-Type", "application/x-www-form-urlencoded",
                "Content-Length", String.valueOf(body.length())), body.getBytes(StandardCharsets.US_ASCII));

        assertProblem("form group", response, 415, "unsupported_media_type");
    }

    @Test
    void oversizedHeaderIsA431Problem() {
        Api.Response response = raw.send("GET /api/v1/groups HTTP/1.1",
                Map.of("Authorization", "Bearer " + "x".repeat(100_000)), new byte[0]);

        assertProblem("100 KB Authorization header", response, 431, "header_too_large");
    }

    @Test
    void encodedSlashAndNulInThePathAreProblems() {
        TestUsers.Account user = users.user();
        for (String path : new String[]{"/api/v1/groups/a%2fb", "/api/v1/groups/%00", "/api/v1/files/%2e%2e%2f"}) {
            Api.Response response = raw.send("GET " + path + " HTTP/1.1",
                    Map.of("Authorization", "Bearer " + user.token()), new byte[0]);

            assertThat(response.status()).as("%s: %s", path, response.text()).isBetween(400, 499);
            assertThat(response.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(response.json().path("code").asString("")).as(path).matches("[a-z_]+");
        }
    }

    @Test
    void deeplyNestedJsonIsRefusedWithItsOwnCode() {
        TestUsers.Account user = users.user();
        String nested = "[".repeat(5_000) + "]".repeat(5_000);

        Api.Response response = api.send("PUT", "/api/v1/me/settings",
                "{\"settings\": {\"systemPrompt\": " + nested + "}}", auth(user));

        assertProblem("5,000 levels", response, 400, "json_limit_exceeded");
    }

    @Test
    void numberWithThousandsOfDigitsIsRefusedWithItsOwnCode() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "digits");

        Api.Response response = api.send("PUT", "/api/v1/groups/" + group + "/settings",
                "{\"settings\": {\"quotas.tokensPerDay\": " + "9".repeat(5_000) + "}}", auth(admin));

        assertProblem("5,000 digits", response, 400, "json_limit_exceeded");
    }

    @Test
    void multipartWithTooManyPartsIsTooManyParts() {
        Upload upload = new Upload(users.user());
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 110; i++) {
            body.append("--B\r\nContent-Disposition: form-data; name=\"field").append(i).append("\"\r\n\r\nx\r\n");
        }
        body.append("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nkiwi\r\n--B--\r\n");

        Api.Response response = upload.send("multipart/form-data; boundary=B", body.toString());

        assertProblem("111 parts", response, 413, "too_many_parts");
    }

    @Test
    void multipartWithAVeryLongFileNameIsAcceptedWithTheNameCut() {
        Upload upload = new Upload(users.user());
        String body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + "n".repeat(10_000)
                + ".txt\"\r\nContent-Type: text/plain\r\n\r\nkiwi\r\n--B--\r\n";

        Api.Response response = upload.send("multipart/form-data; boundary=B", body);

        assertThat(response.status()).as(response.text()).isEqualTo(202);
        assertThat(response.json().path("name").asString()).hasSizeLessThanOrEqualTo(255);
    }

    @Test
    void multipartWithoutBoundaryIsMalformedMultipart() {
        Upload upload = new Upload(users.user());

        Api.Response response = upload.send("multipart/form-data",
                "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nkiwi\r\n--B--\r\n");

        assertProblem("no boundary", response, 400, "malformed_multipart");
    }

    @Test
    void truncatedMultipartIsMalformedMultipart() {
        Upload upload = new Upload(users.user());

        Api.Response response = upload.send("multipart/form-data; boundary=B",
                "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nkiwi and more");

        assertProblem("truncated", response, 400, "malformed_multipart");
    }

    @Test
    void nulInTheFileNameIsRefusedNamingTheFile() {
        Upload upload = new Upload(users.user());

        Api.Response response = upload.send("multipart/form-data; boundary=B",
                "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\u0000.txt\"\r\n\r\nkiwi\r\n--B--\r\n");

        assertInvalidField("NUL in file name", response, "file");
    }

    private static Map<String, String> auth(TestUsers.Account account) {
        return Map.of("Authorization", "Bearer " + account.token());
    }

    /** Raw multipart requests to a personal collection of a new user. */
    private final class Upload {
        private final TestUsers.Account user;
        private final UUID collection;

        Upload(TestUsers.Account user) {
            this.user = user;
            this.collection = new Knowledge(api).personalCollection(user, "uploads");
        }

        Api.Response send(String contentType, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return raw.send("POST /api/v1/collections/" + collection + "/files HTTP/1.1",
                    Map.of("Authorization", "Bearer " + user.token(), "Content-Type", contentType,
                            "Content-Length", String.valueOf(bytes.length)), bytes);
        }
    }
}
