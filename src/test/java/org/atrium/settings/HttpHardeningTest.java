package org.atrium.settings;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Small leaks and headers: security headers on every response, Swagger UI under its own policy, downloads that can
 * never run as Atrium, cookie-authenticated state changes refused when a browser says another site sent them,
 * credential masks that give nothing of short secrets away, and duplicate e-mail addresses kept out of logs.
 */
@ExtendWith(OutputCaptureExtension.class)
class HttpHardeningTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyResponseCarriesContentSecurityReferrerAndPermissionsPolicies() {
        TestUsers.Account user = users.user();
        List<Api.Response> responses = List.of(
                api.get("/api/v1/auth/me", user.token()),
                api.get("/api/v1/auth/me", null),
                api.get("/actuator/health/readiness", null),
                api.post("/api/v1/auth/signin", Map.of("email", "nobody@atrium.test", "password", "wrong-one"),
                        null));
        for (Api.Response response : responses) {
            assertThat(response.header("Content-Security-Policy")).as("CSP of a %d", response.status())
                    .contains("default-src 'none'").contains("frame-ancestors 'none'");
            assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(response.header("Permissions-Policy")).contains("camera=()").contains("microphone=()");
            assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
    }

    @Test
    void swaggerUiLoadsItsOwnScriptsAndStylesUnderItsOwnPolicy() {
        Api.Response page = api.get("/swagger-ui/index.html", null);

        assertThat(page.status()).isEqualTo(200);
        String policy = page.header("Content-Security-Policy");
        assertThat(policy).contains("script-src 'self'").contains("style-src 'self' 'unsafe-inline'")
                .contains("connect-src 'self'").contains("frame-ancestors 'none'");
        assertThat(page.text()).as("no inline script, which the policy would block")
                .doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
        List<String> resources = new ArrayList<>();
        Matcher reference = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.text());
        while (reference.find()) {
            resources.add(reference.group(1));
        }
        assertThat(resources).as("scripts and styles of the page").isNotEmpty()
                .allSatisfy(resource -> assertThat(resource).doesNotStartWith("http").doesNotStartWith("//"));
        for (String resource : resources) {
            String path = URI.create(api.baseUrl() + "/swagger-ui/index.html").resolve(resource).getPath();
            Api.Response loaded = api.get(path, null);
            assertThat(loaded.status()).as("GET %s", path).isEqualTo(200);
            if (path.endsWith("swagger-initializer.js")) {
                assertThat(loaded.text()).as("the initializer reads this origin's document").contains("/v3/api-docs");
            }
        }
    }

    @Test
    void downloadedHtmlIsAnAttachmentThatCanNeverRunAsAtrium() throws Exception {
        TestUsers.Account owner = users.user();
        Knowledge knowledge = new Knowledge(api);
        UUID collection = knowledge.personalCollection(owner, "downloads");
        byte[] html = "<html><body><script>fetch('/api/v1/api-keys',{method:'POST'})</script></body></html>"
                .getBytes(StandardCharsets.UTF_8);
        // SVG is refused at upload (415 unsupported_file_type); the same headers would apply to it.
        for (Map.Entry<String, byte[]> file : Map.of("page.html", html, "page.txt", html).entrySet()) {
            UUID id = knowledge.upload(owner, collection, file.getKey(), file.getValue());

            HttpResponse<byte[]> download = CLIENT.send(HttpRequest.newBuilder(
                            URI.create(api.baseUrl() + "/api/v1/files/" + id + "/content"))
                    .header("Authorization", "Bearer " + owner.token()).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());

            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(file.getValue());
            assertThat(download.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment");
            assertThat(download.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(download.headers().allValues("Content-Security-Policy")).as(file.getKey())
                    .singleElement().asString().contains("sandbox").contains("default-src 'none'");
        }
    }

    @Test
    void crossSiteStateChangesWithTheSessionCookieAreRefused() {
        TestUsers.Account user = users.user();
        String cookie = "atrium_session=" + user.token();
        String self = URI.create(api.baseUrl()).getAuthority();
        List<Map<String, String>> crossSite = List.of(
                Map.of("Cookie", cookie, "Sec-Fetch-Site", "cross-site"),
                Map.of("Cookie", cookie, "Sec-Fetch-Site", "same-site"),
                Map.of("Cookie", cookie, "Origin", "http://evil.example.org"),
                Map.of("Cookie", cookie, "Origin", "http://sub." + self),
                Map.of("Cookie", cookie, "Origin", "null"));
        for (Map<String, String> headers : crossSite) {
            Api.Response refused = api.send("POST", "/api/v1/api-keys", Map.of("name", "csrf"), headers);

            assertThat(refused.status()).as("%s: %s", headers, refused.text()).isEqualTo(403);
            assertThat(refused.json().path("code").asString(null)).isEqualTo("cross_site_request");
        }
        assertThat(api.get("/api/v1/api-keys", user.token()).json().path("items").size())
                .as("no key was created").isZero();
    }

    @Test
    void sameOriginCookieRequestsAndHeaderCredentialsAreNotChecked() {
        TestUsers.Account user = users.user();
        String cookie = "atrium_session=" + user.token();
        List<Map<String, String>> allowed = List.of(
                Map.of("Cookie", cookie, "Sec-Fetch-Site", "same-origin"),
                Map.of("Cookie", cookie, "Origin", api.baseUrl()),
                Map.of("Cookie", cookie),
                Map.of("Authorization", "Bearer " + user.token(), "Sec-Fetch-Site", "cross-site",
                        "Origin", "http://evil.example.org"));
        for (Map<String, String> headers : allowed) {
            Api.Response created = api.send("POST", "/api/v1/api-keys", Map.of("name", "fine"), headers);

            assertThat(created.status()).as("%s: %s", headers, created.text()).isEqualTo(201);
        }
        Api.Response read = api.send("GET", "/api/v1/api-keys", null,
                Map.of("Cookie", cookie, "Sec-Fetch-Site", "cross-site"));
        assertThat(read.status()).as("a cross-site read changes nothing: %s", read.text()).isEqualTo(200);
        Api.Response signIn = api.send("POST", "/api/v1/auth/signin",
                Map.of("email", user.email(), "password", user.password()),
                Map.of("Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example.org"));
        assertThat(signIn.status()).as("no cookie, nothing to check: %s", signIn.text()).isEqualTo(200);
    }

    @Test
    void credentialMasksShowNothingOfShortSecretsAndAtMostAnEighthOfLongOnes() {
        TestUsers.Account user = users.user();
        Map<String, String> expected = Map.of(
                "abcd", "...",
                "sk-abcdefgh", "sk-...",
                "0123456789abcdef", "...ef",
                "sk-" + "x".repeat(37) + "WXYZ", "sk-...WXYZ");
        for (Map.Entry<String, String> secret : expected.entrySet()) {
            String connection = "mask-" + UUID.randomUUID().toString().substring(0, 8);
            Api.Response created = api.post("/api/v1/me/credentials", Map.of("connection", connection,
                    "kind", "api_key", "name", "Mask", "secret", secret.getKey()), user.token());

            assertThat(created.status()).as(created.text()).isEqualTo(201);
            assertThat(created.json().path("maskedSecret").asString()).as(secret.getKey())
                    .isEqualTo(secret.getValue());
        }
    }

    @Test
    void credentialsStoredWithTheOldFourCharacterTailAreMaskedByLengthToo() {
        TestUsers.Account user = users.user();
        String connection = "mask-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/me/credentials", Map.of("connection", connection,
                "kind", "api_key", "name", "Old", "secret", "wxyz"), user.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        jdbc.sql("update credentials set last_four = 'wxyz' where id = :id")
                .param("id", UUID.fromString(created.json().path("id").asString())).update();

        Api.Response listed = api.get("/api/v1/me/credentials", user.token());

        assertThat(listed.text()).doesNotContain("wxyz");
        assertThat(listed.json().path("items").get(0).path("maskedSecret").asString()).isEqualTo("...");
    }

    @Test
    void aDuplicateEmailAtSignUpIsAConflictAndNoLogLineNamesIt(CapturedOutput output) {
        String email = TestUsers.uniqueEmail("dup");
        Api.Response first = api.post("/api/v1/auth/signup",
                Map.of("email", email, "name", "First", "password", TestUsers.PASSWORD), null);
        assertThat(first.status()).as(first.text()).isEqualTo(201);

        // U+2003 is stripped before the insert; the existence check used to miss it and the insert hit the index.
        Api.Response second = api.post("/api/v1/auth/signup",
                Map.of("email", "\u2003" + email, "name", "Second", "password", TestUsers.PASSWORD), null);

        assertThat(second.status()).as(second.text()).isEqualTo(409);
        assertThat(second.json().path("code").asString(null)).isEqualTo("email_taken");
        assertThat(output.getAll()).doesNotContainIgnoringCase(email);
    }
}
