package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error a client can get is an RFC 9457 problem detail with Atrium's members and nothing internal. */
@ExtendWith(OutputCaptureExtension.class)
class ProblemDetailsTest extends IntegrationTest {

    private static final HttpClient RAW = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void malformedJsonIsMalformedRequestWithoutParserInternals() {
        TestUsers.Account admin = users.admin();
        Api.Response response = raw("POST", "/api/v1/groups", "application/json", "{\"name\": \"Research\",,",
                admin.token());

        JsonNode problem = assertProblem(response, 400, "malformed_request");
        String detail = problem.path("detail").asString();
        assertThat(detail).isNotBlank()
                .doesNotContain("tools.jackson", "com.fasterxml", "Exception", "org.springframework", "org.atrium",
                        "CreateGroupRequest", "line:", "column:", "Unexpected character");
        assertThat(response.text()).doesNotContain("tools.jackson", "Exception", "CreateGroupRequest");
    }

    @Test
    void bodyOfTheWrongShapeIsMalformedRequestWithoutTypeNames() {
        TestUsers.Account admin = users.admin();
        Api.Response response = raw("POST", "/api/v1/groups", "application/json", "[1, 2, 3]", admin.token());

        assertProblem(response, 400, "malformed_request");
        assertThat(response.text()).doesNotContain("tools.jackson", "Exception", "CreateGroupRequest", "GroupController");
    }

    @Test
    void missingRequiredFieldIsValidationFailedNamingTheField() {
        TestUsers.Account admin = users.admin();
        Api.Response response = api.post("/api/v1/groups", Map.of("description", "no name"), admin.token());

        JsonNode problem = assertProblem(response, 400, "validation_failed");
        JsonNode errors = problem.path("errors");
        assertThat(errors.isArray()).as("errors is an array: %s", response.text()).isTrue();
        assertThat(errors.values()).extracting(e -> e.path("field").asString()).containsExactly("name");
        assertThat(errors.get(0).path("message").asString()).isNotBlank();
        assertThat(problem.path("detail").asString()).contains("name");
    }

    @Test
    void queryParameterOfTheWrongTypeIsInvalidParameter() {
        TestUsers.Account user = users.user();
        Api.Response response = api.get("/api/v1/groups?limit=abc", user.token());

        JsonNode problem = assertProblem(response, 400, "invalid_parameter");
        assertThat(response.text()).doesNotContain("NumberFormatException", "java.lang", "Exception");
        assertThat(problem.path("detail").asString()).isNotBlank();
    }

    @Test
    void unknownPathUnderApiIsNotFoundForASignedInUser() {
        TestUsers.Account user = users.user();
        Api.Response response = api.get("/api/v1/no-such-thing/" + UUID.randomUUID(), user.token());

        assertProblem(response, 404, "not_found");
    }

    @Test
    void wrongMethodIsMethodNotAllowed() {
        TestUsers.Account user = users.user();
        Api.Response response = api.put("/api/v1/auth/me", Map.of("name", "x"), user.token());

        assertProblem(response, 405, "method_not_allowed");
        assertThat(response.header("Allow")).as("Allow header").contains("GET");
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() {
        TestUsers.Account admin = users.admin();
        Api.Response response = raw("POST", "/api/v1/groups", "text/plain", "name=Research", admin.token());

        assertProblem(response, 415, "unsupported_media_type");
    }

    @Test
    void urlRejectedByTheSecurityFirewallIsAProblemToo() {
        TestUsers.Account user = users.user();
        for (String path : List.of("/api/v1/groups;jsessionid=abc", "/api//v1/groups", "/api/v1/%2e%2e/v1/groups")) {
            Api.Response response = api.get(path, user.token());

            JsonNode problem = assertProblem(response, 400, null);
            assertThat(response.text()).as(path).doesNotContain("RequestRejectedException", "\"timestamp\"");
            assertThat(problem.path("code").asString()).isNotEqualTo("internal_error");
        }
    }

    @Test
    void unauthenticatedCallIsAProblemToo() {
        Api.Response response = api.get("/api/v1/groups", null);

        assertProblem(response, 401, "unauthenticated");
    }

    @Test
    void unexpectedExceptionIsInternalErrorWithoutInternalsButIsLoggedWithTheRequestId(CapturedOutput output) {
        TestUsers.Account user = users.user();
        Api.Response response = api.get("/api/v1/test-only/fail", user.token());

        JsonNode problem = assertProblem(response, 500, "internal_error");
        assertThat(response.text())
                .doesNotContain(FailingTestController.FAILURE_MESSAGE, "IllegalStateException", "java.lang",
                        "org.atrium", "FailingTestController", "\tat ", "stackTrace", "\"trace\"");
        assertThat(problem.path("detail").asString()).isNotBlank();

        String requestId = response.header(RequestIds.HEADER);
        List<JsonNode> failures = CapturedLogs.await(output,
                line -> line.toString().contains(FailingTestController.FAILURE_MESSAGE));
        assertThat(failures).as("a log line carries the failure message").isNotEmpty();
        assertThat(failures).anySatisfy(line -> {
            assertThat(line.path("request_id").asString(null)).isEqualTo(requestId);
            assertThat(line.path("level").asString(null)).isEqualTo("ERROR");
            assertThat(line.toString()).contains("IllegalStateException");
        });
    }

    /**
     * Asserts the common shape of every problem and returns its body.
     *
     * @param code the expected code, or {@code null} for any code (then only its shape is checked)
     */
    private static JsonNode assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as("status of %s", response.text()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as("content type of %s", response.text())
                .startsWith("application/problem+json");
        JsonNode problem = response.json();
        String actualCode = problem.path("code").asString("");
        if (code != null) {
            assertThat(actualCode).isEqualTo(code);
        } else {
            assertThat(actualCode).matches("[a-z_]+");
        }
        assertThat(problem.path("type").asString(null)).isEqualTo(Problems.TYPE_PREFIX + actualCode);
        assertThat(problem.path("title").asString("")).isNotBlank();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("detail").asString("")).isNotBlank();
        String requestId = response.header(RequestIds.HEADER);
        assertThat(requestId).as("X-Request-Id header").isNotBlank();
        assertThat(problem.path("requestId").asString(null)).isEqualTo(requestId);
        assertThat(problem.has("trace")).as("no trace member").isFalse();
        assertThat(problem.has("exception")).as("no exception member").isFalse();
        return problem;
    }

    /** Sends a body with exactly the given content type (the shared client always sends JSON). */
    private Api.Response raw(String method, String path, String contentType, String body, String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = RAW.send(request, HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
            return new Api.Response(response.statusCode(), headers, response.body());
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
