package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.context.support.ServletRequestHandledEvent;
import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** One structured {@code http.request} line per request, correlated by request id, and never a secret in the logs. */
@ExtendWith(OutputCaptureExtension.class)
class RequestLoggingTest extends IntegrationTest {

    @Autowired
    private ConfigurableApplicationContext context;

    /**
     * This filter's line is the request's one record: Spring's own per-request event is not published (it formatted
     * the caller's principal on every request, for no listener).
     */
    @Test
    void noRequestHandledEventIsPublished() {
        TestUsers.Account user = users.user();
        List<ServletRequestHandledEvent> published = new CopyOnWriteArrayList<>();
        ApplicationListener<ServletRequestHandledEvent> listener = published::add;
        context.addApplicationListener(listener);
        try {
            assertThat(api.get("/api/v1/auth/me", user.token()).status()).isEqualTo(200);
            assertThat(api.get("/api/v1/nothing-here", user.token()).status()).isEqualTo(404);
        } finally {
            context.removeApplicationListener(listener);
        }
        assertThat(published).as("request-handled events published").isEmpty();
    }

    @Test
    void authenticatedRequestIsLoggedOnceWithUserAndRouteTemplateButNotTheRawId(CapturedOutput output) {
        TestUsers.Account admin = users.admin();
        UUID groupId = users.group(admin, "logged");
        String requestId = newRequestId("route");

        Api.Response response = api.send("GET", "/api/v1/groups/" + groupId, null,
                Map.of("Authorization", "Bearer " + admin.token(), RequestIds.HEADER, requestId));
        assertThat(response.status()).isEqualTo(200);

        JsonNode line = single(output, requestId);
        assertThat(line.path("user_id").asString(null)).isEqualTo(admin.id().toString());
        assertThat(line.path("method").asString(null)).isEqualTo("GET");
        assertThat(line.path("route").asString(null)).isEqualTo("/api/v1/groups/{groupId}");
        assertThat(line.path("status").asString(null)).isEqualTo("200");
        assertThat(line.path("duration_ms").asString("")).matches("\\d+(\\.\\d{1,2})?");
        assertThat(line.toString()).doesNotContain(groupId.toString());
    }

    @Test
    void routeWithTwoVariablesIsLoggedAsItsTemplate(CapturedOutput output) {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        UUID groupId = users.group(admin, "logged-members");
        String requestId = newRequestId("members");

        Api.Response response = api.send("PUT", "/api/v1/groups/" + groupId + "/members/" + member.id(),
                "{\"role\":\"member\"}",
                Map.of("Authorization", "Bearer " + admin.token(), RequestIds.HEADER, requestId));
        assertThat(response.status()).isEqualTo(200);

        JsonNode line = single(output, requestId);
        assertThat(line.path("method").asString(null)).isEqualTo("PUT");
        assertThat(line.path("route").asString(null)).isEqualTo("/api/v1/groups/{groupId}/members/{userId}");
        assertThat(line.toString()).doesNotContain(groupId.toString(), member.id().toString());
    }

    @Test
    void everyRequestIsLoggedExactlyOnceWhateverItsOutcome(CapturedOutput output) {
        TestUsers.Account user = users.user();
        record Call(String method, String path, Object body, Map<String, String> headers, int status,
                    boolean authenticated) {
        }
        List<Call> calls = List.of(
                new Call("GET", "/api/v1/auth/me", null, Map.of("Authorization", "Bearer " + user.token()), 200, true),
                new Call("GET", "/api/v1/groups", null, Map.of(), 401, false),
                new Call("GET", "/api/v1/auth/me", null, Map.of("Authorization", "Bearer ats_not-a-real-token"),
                        401, false),
                new Call("GET", "/api/v1/nothing-here", null, Map.of("Authorization", "Bearer " + user.token()),
                        404, true),
                new Call("POST", "/api/v1/api-keys", Map.of(), Map.of("Authorization", "Bearer " + user.token()),
                        400, true),
                new Call("GET", "/api/v1/test-only/fail", null, Map.of("Authorization", "Bearer " + user.token()),
                        500, true));

        for (Call call : calls) {
            String requestId = newRequestId("outcome");
            Map<String, String> headers = new HashMap<>(call.headers());
            headers.put(RequestIds.HEADER, requestId);
            Api.Response response = api.send(call.method(), call.path(), call.body(), headers);
            assertThat(response.status()).as("%s %s", call.method(), call.path()).isEqualTo(call.status());

            JsonNode line = single(output, requestId);
            assertThat(line.path("method").asString(null)).isEqualTo(call.method());
            assertThat(line.path("status").asString(null)).isEqualTo(String.valueOf(call.status()));
            assertThat(line.path("route").asString("")).isNotBlank();
            assertThat(line.path("duration_ms").asString("")).matches("\\d+(\\.\\d{1,2})?");
            if (call.authenticated()) {
                assertThat(line.path("user_id").asString(null)).isEqualTo(user.id().toString());
            } else {
                assertThat(line.path("user_id").asString(null)).isNull();
            }
        }
    }

    @Test
    void wellFormedIncomingRequestIdIsReusedAndEchoed(CapturedOutput output) {
        String requestId = newRequestId("reuse");

        Api.Response response = api.send("GET", "/api/v1/groups", null, Map.of(RequestIds.HEADER, requestId));

        assertThat(response.header(RequestIds.HEADER)).isEqualTo(requestId);
        assertThat(response.json().path("requestId").asString(null)).isEqualTo(requestId);
        assertThat(single(output, requestId).path("status").asString(null)).isEqualTo("401");
    }

    @Test
    void requestWithoutAnIdGetsAFreshOneThatIsLogged(CapturedOutput output) {
        Api.Response first = api.get("/api/v1/groups", null);
        Api.Response second = api.get("/api/v1/groups", null);

        String firstId = first.header(RequestIds.HEADER);
        assertThat(firstId).matches("[A-Za-z0-9._-]{1,64}");
        assertThat(second.header(RequestIds.HEADER)).isNotEqualTo(firstId);
        single(output, firstId);
    }

    @Test
    void tooLongIncomingRequestIdIsReplaced(CapturedOutput output) {
        String tooLong = "a".repeat(65);

        Api.Response response = api.send("GET", "/api/v1/groups", null, Map.of(RequestIds.HEADER, tooLong));

        String echoed = response.header(RequestIds.HEADER);
        assertThat(echoed).isNotEqualTo(tooLong).matches("[A-Za-z0-9._-]{1,64}");
        single(output, echoed);
        assertThat(output.getAll()).doesNotContain(tooLong);
    }

    @Test
    void incomingRequestIdWithSpacesIsReplaced(CapturedOutput output) {
        String spaced = "forged id " + UUID.randomUUID();

        Api.Response response = api.send("GET", "/api/v1/groups", null, Map.of(RequestIds.HEADER, spaced));

        String echoed = response.header(RequestIds.HEADER);
        assertThat(echoed).isNotEqualTo(spaced).doesNotContain(" ").matches("[A-Za-z0-9._-]{1,64}");
        single(output, echoed);
        assertThat(output.getAll()).doesNotContain(spaced);
    }

    @Test
    void noPasswordSessionTokenOrApiKeyIsEverLogged(CapturedOutput output) {
        String password = "pw-" + UUID.randomUUID();
        String wrongPassword = "wrong-" + UUID.randomUUID();
        String email = TestUsers.uniqueEmail("secrets");
        String signUpId = newRequestId("signup");

        Api.Response signedUp = api.send("POST", "/api/v1/auth/signup",
                Map.of("email", email, "name", "Secret Keeper", "password", password),
                Map.of(RequestIds.HEADER, signUpId));
        assertThat(signedUp.status()).isEqualTo(201);
        String signUpToken = signedUp.json().path("token").asString();
        UUID userId = UUID.fromString(signedUp.json().path("user").path("id").asString());
        users.setRole(userId, "user");

        Api.Response failed = api.post("/api/v1/auth/signin", Map.of("email", email, "password", wrongPassword),
                null);
        assertThat(failed.status()).isEqualTo(401);

        Api.Response signedIn = api.post("/api/v1/auth/signin", Map.of("email", email, "password", password), null);
        assertThat(signedIn.status()).isEqualTo(200);
        String signInToken = signedIn.json().path("token").asString();

        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "logging"), signInToken);
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().path("key").asString();
        assertThat(key).startsWith("atk_");

        assertThat(api.get("/api/v1/auth/me", key).status()).isEqualTo(200);
        assertThat(api.send("GET", "/api/v1/auth/me", null, Map.of("x-api-key", key)).status()).isEqualTo(200);
        String cookieId = newRequestId("cookie");
        assertThat(api.send("GET", "/api/v1/auth/me", null,
                Map.of("Cookie", "atrium_session=" + signUpToken, RequestIds.HEADER, cookieId)).status())
                .isEqualTo(200);
        assertThat(api.send("GET", "/api/v1/api-keys", null, Map.of("Cookie", "atrium_session=" + signInToken))
                .status()).isEqualTo(200);
        // a revoked key and a mistyped token are rejected, and must not be logged either
        String revokedKeyId = created.json().path("apiKey").path("id").asString();
        assertThat(api.delete("/api/v1/api-keys/" + revokedKeyId, signInToken).status()).isEqualTo(204);
        assertThat(api.send("GET", "/api/v1/auth/me", null, Map.of("x-api-key", key)).status()).isEqualTo(401);
        assertThat(api.post("/api/v1/auth/signout", null, signInToken).status()).isEqualTo(204);
        String lastId = newRequestId("after-signout");
        assertThat(api.send("GET", "/api/v1/auth/me", null,
                Map.of("Authorization", "Bearer " + signInToken, RequestIds.HEADER, lastId)).status())
                .isEqualTo(401);

        // the capture really holds this test's request lines, so the absence below means something
        assertThat(single(output, signUpId).path("route").asString(null)).isEqualTo("/api/v1/auth/signup");
        assertThat(single(output, cookieId).path("user_id").asString(null)).isEqualTo(userId.toString());
        single(output, lastId);

        String everything = output.getAll();
        assertThat(everything).doesNotContain(password, wrongPassword, signUpToken, signInToken, key,
                key.substring("atk_".length()), tail(signUpToken), tail(signInToken));
    }

    private static String tail(String token) {
        int underscore = token.indexOf('_');
        return underscore < 0 ? token : token.substring(underscore + 1);
    }

    private static String newRequestId(String hint) {
        return "it-" + hint + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** Waits for the request lines of one request id and asserts there is exactly one, with the fixed fields. */
    private static JsonNode single(CapturedOutput output, String requestId) {
        List<JsonNode> lines = CapturedLogs.awaitRequest(output, requestId);
        assertThat(lines).as("http.request lines for %s", requestId).hasSize(1);
        JsonNode line = lines.getFirst();
        assertThat(line.path("event").asString(null)).isEqualTo("http.request");
        assertThat(line.path("request_id").asString(null)).isEqualTo(requestId);
        assertThat(line.has("method")).isTrue();
        assertThat(line.has("route")).isTrue();
        assertThat(line.has("status")).isTrue();
        assertThat(line.has("duration_ms")).isTrue();
        return line;
    }
}
