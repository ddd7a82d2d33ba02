package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.platform.ProblemAssertions.assertProblem;

/**
 * Bad input a client can send is a 4xx problem naming what is wrong, never a 500: NUL and unpaired surrogates in
 * stored strings, e-mail addresses that differ only in Unicode white space, out-of-range expiries and quotas,
 * oversized list settings, and bidirectional override characters in display names.
 */
class ClientInputTest extends IntegrationTest {

    /** Escapes every non-ASCII character, so that unpaired surrogates reach the server as {@code \ud800}. */
    private static final JsonMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final List<String> UNSTORABLE = List.of("a\u0000b", "a\uD800b", "a\uDC00b", "\uDBFF");
    private static final List<String> BIDI = List.of("evil\u202Etxt.exe", "a\u2066b\u2069", "x\u202Ay");

    /** One place a client sends a string: the field as named in the problem, and how to send a value there. */
    private record Field(String what, String field, Function<String, Api.Response> send) {
    }

    @Test
    void unstorableTextInAnyStoredStringIsValidationFailedNamingTheField() {
        List<Field> fields = storedStrings();
        for (Field field : fields) {
            for (String value : UNSTORABLE) {
                String what = field.what() + " = " + escaped(value);
                assertInvalid(what, field.send().apply(value), field.field());
            }
        }
    }

    @Test
    void bidirectionalOverridesInDisplayNamesAreRefused() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "bidi");
        UUID collection = new Knowledge(api).personalCollection(user, "bidi");
        List<Field> names = List.of(
                new Field("sign-up name", "name", v -> post("/api/v1/auth/signup", null, "email",
                        TestUsers.uniqueEmail("bidi"), "name", v, "password", TestUsers.PASSWORD)),
                new Field("user name", "name", v -> post("/api/v1/users", admin, "email",
                        TestUsers.uniqueEmail("bidi"), "name", v, "password", TestUsers.PASSWORD)),
                new Field("group name", "name", v -> post("/api/v1/groups", admin, "name", v)),
                new Field("group rename", "name", v -> send("PATCH", "/api/v1/groups/" + group, admin, "name", v)),
                new Field("collection name", "name", v -> post("/api/v1/collections", user, "name", v)),
                new Field("collection rename", "name",
                        v -> send("PATCH", "/api/v1/collections/" + collection, user, "name", v)),
                new Field("API key name", "name", v -> post("/api/v1/api-keys", user, "name", v)),
                new Field("credential name", "name", v -> post("/api/v1/me/credentials", user, "connection", "fake",
                        "kind", "api_key", "name", v, "secret", "sk-0123456789")));
        for (Field name : names) {
            for (String value : BIDI) {
                assertInvalid(name.what() + " = " + escaped(value), name.send().apply(value), name.field());
            }
        }
    }

    @Test
    void emailDifferingOnlyInUnicodeSpaceOrCaseIsTheSameAccountEverywhere() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account existing = users.user();
        String spaced = "\u2003" + existing.email().toUpperCase() + "\u3000";

        Api.Response signUp = post("/api/v1/auth/signup", null, "email", spaced, "name", "Twin",
                "password", TestUsers.PASSWORD);
        Api.Response created = post("/api/v1/users", admin, "email", spaced, "name", "Twin",
                "password", TestUsers.PASSWORD);
        Api.Response signIn = post("/api/v1/auth/signin", null, "email", spaced, "password", TestUsers.PASSWORD);

        assertProblem("sign-up with " + escaped(spaced), signUp, 409, "email_taken");
        assertProblem("admin creation with " + escaped(spaced), created, 409, "email_taken");
        assertThat(signIn.status()).as(signIn.text()).isEqualTo(200);
        assertThat(signIn.json().path("user").path("id").asString()).isEqualTo(existing.id().toString());
    }

    @Test
    void apiKeyExpiryBeyondTenYearsIsValidationFailed() {
        TestUsers.Account user = users.user();

        Api.Response farAway = post("/api/v1/api-keys", user, "name", "forever", "expiresAt",
                "+300000-01-01T00:00:00Z");
        Api.Response eleventhYear = post("/api/v1/api-keys", user, "name", "long", "expiresAt",
                java.time.Instant.now().plus(java.time.Duration.ofDays(11 * 366)).toString());

        assertInvalid("expiresAt +300000", farAway, "expiresAt");
        assertInvalid("expiresAt in 11 years", eleventhYear, "expiresAt");
    }

    @Test
    void hugeQuotaIsValidationFailedNamingTheSetting() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "quota");

        for (String number : List.of("99999999999999999999999", "1e300", "-1", "1000000000001", "1.5")) {
            Api.Response response = api.send("PUT", "/api/v1/groups/" + group + "/settings",
                    "{\"settings\": {\"quotas.tokensPerDay\": " + number + "}}", auth(admin));

            assertInvalid("tokensPerDay " + number, response, "quotas.tokensPerDay");
        }
    }

    @Test
    void listSettingsAreBoundedInEntriesAndInEachEntry() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "models");
        String path = "/api/v1/groups/" + group + "/settings";

        Api.Response tooMany = api.put(path, Map.of("settings", Map.of("allowedModels",
                Collections.nCopies(101, "gpt-4o"))), admin.token());
        Api.Response tooLong = api.put(path, Map.of("settings", Map.of("allowedModels",
                List.of("m".repeat(201)))), admin.token());
        Api.Response reported = api.put(path, Map.of("settings", Map.of("allowedModels",
                Collections.nCopies(200, "m".repeat(20_000)))), admin.token());
        Api.Response longPrompt = api.put(path, Map.of("settings", Map.of("systemPrompt",
                "p".repeat(20_001))), admin.token());
        Api.Response fits = api.put(path, Map.of("settings", Map.of("allowedModels",
                Collections.nCopies(100, "m".repeat(200)), "systemPrompt", "p".repeat(20_000))), admin.token());

        assertInvalid("101 models", tooMany, "allowedModels");
        assertInvalid("a 201-character model", tooLong, "allowedModels");
        assertProblem("200 x 20,000 characters", reported, 413, "payload_too_large");
        assertInvalid("a 20,001-character prompt", longPrompt, "systemPrompt");
        assertThat(fits.status()).as(fits.text()).isEqualTo(200);
    }

    @Test
    void collectionCreationWithNulIsValidationFailedNotGroupNotFound() {
        TestUsers.Account user = users.user();

        Api.Response response = post("/api/v1/collections", user, "name", "lab\u0000book", "description", "d");

        assertInvalid("collection with NUL", response, "name");
    }

    @Test
    void queryParameterThatIsNotUtf8IsInvalidParameter() {
        TestUsers.Account admin = users.admin();
        for (String value : List.of("%ED%A0%80", "%C0%AF", "%FF")) {
            Api.Response response = api.get("/api/v1/groups?limit=" + value, admin.token());

            assertProblem("limit=" + value, response, 400, "invalid_parameter");
        }
    }

    /** Every stored string the review found a 500 for, each sent where it is stored. */
    private List<Field> storedStrings() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "nul");
        UUID collection = new Knowledge(api).personalCollection(user, "nul");
        return List.of(
                new Field("sign-in e-mail", "email", v -> post("/api/v1/auth/signin", null, "email", v,
                        "password", TestUsers.PASSWORD)),
                new Field("sign-up name", "name", v -> post("/api/v1/auth/signup", null, "email",
                        TestUsers.uniqueEmail("nul"), "name", v, "password", TestUsers.PASSWORD)),
                new Field("admin-created user name", "name", v -> post("/api/v1/users", admin, "email",
                        TestUsers.uniqueEmail("nul"), "name", v, "password", TestUsers.PASSWORD)),
                new Field("API key name", "name", v -> post("/api/v1/api-keys", user, "name", v)),
                new Field("collection name", "name", v -> post("/api/v1/collections", user, "name", v)),
                new Field("collection rename", "name",
                        v -> send("PATCH", "/api/v1/collections/" + collection, user, "name", v)),
                new Field("credential name", "name", v -> post("/api/v1/me/credentials", user, "connection", "fake",
                        "kind", "api_key", "name", v, "secret", "sk-0123456789")),
                new Field("systemPrompt", "systemPrompt", v -> send("PUT", "/api/v1/me/settings", user,
                        "settings", Map.of("systemPrompt", v))),
                new Field("allowedModels", "allowedModels", v -> send("PUT", "/api/v1/groups/" + group + "/settings",
                        admin, "settings", Map.of("allowedModels", List.of("gpt-4o", v)))),
                new Field("group name", "name", v -> post("/api/v1/groups", admin, "name", v)),
                new Field("group description", "description", v -> post("/api/v1/groups", admin,
                        "name", "g-" + UUID.randomUUID(), "description", v)));
    }

    /** The field is named as sent ({@code name}) or as a path ending with it ({@code settings.systemPrompt}). */
    private static void assertInvalid(String what, Api.Response response, String field) {
        JsonNode problem = assertProblem(what, response, 400, "validation_failed");
        assertThat(problem.path("errors").values()).as("errors of %s: %s", what, response.text())
                .extracting(error -> error.path("field").asString())
                .anyMatch(named -> named.equals(field) || named.endsWith("." + field)
                        || named.startsWith(field + "[") || named.contains("." + field + "["));
    }

    private Api.Response post(String path, TestUsers.Account caller, Object... fields) {
        return send("POST", path, caller, fields);
    }

    private Api.Response send(String method, String path, TestUsers.Account caller, Object... fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            body.put((String) fields[i], fields[i + 1]);
        }
        return api.send(method, path, ESCAPING.writeValueAsString(body), caller == null ? Map.of() : auth(caller));
    }

    private static Map<String, String> auth(TestUsers.Account account) {
        return Map.of("Authorization", "Bearer " + account.token());
    }

    private static String escaped(String value) {
        return ESCAPING.writeValueAsString(value);
    }
}
