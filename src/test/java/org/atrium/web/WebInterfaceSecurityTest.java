package org.atrium.web;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The interface's security seen by a plain HTTP client: CSRF tokens on forms, the CSP, where visitors are sent. */
class WebInterfaceSecurityTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private HttpResponse<String> get(String path, String cookies) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).GET();
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies);
        }
        return send(request.build());
    }

    private HttpResponse<String> postForm(String path, Map<String, String> fields, String cookies) {
        String body = fields.entrySet().stream().map(field -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)
                + "=" + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies);
        }
        return send(request.build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException failed) {
            throw new IllegalStateException(failed);
        }
    }

    private static String session(TestUsers.Account account) {
        return "atrium_session=" + account.token();
    }

    /** The cookies a response sets, as a Cookie header would send them back. */
    private static String cookiesSet(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie").stream().map(cookie -> cookie.split(";", 2)[0])
                .collect(Collectors.joining("; "));
    }

    private static List<String> directive(HttpResponse<?> response, String name) {
        String policy = response.headers().firstValue("Content-Security-Policy").orElseThrow();
        return Arrays.stream(policy.split(";")).map(String::strip).filter(d -> d.startsWith(name + " "))
                .findFirst().map(d -> List.of(d.split("\\s+"))).orElse(List.of());
    }

    @Test
    void pagesCarryAContentSecurityPolicyThatRunsNoInlineScript() {
        TestUsers.Account user = users.user();
        String collection = api.post("/api/v1/collections", Map.of("name", "Policies"), user.token()).json()
                .path("id").asString();
        for (HttpResponse<String> page : List.of(get("/signin", ""), get("/signup", ""),
                get("/chats", session(user)), get("/knowledge", session(user)),
                get("/knowledge/" + collection, session(user)), get("/settings", session(user)))) {
            assertThat(page.statusCode()).as(page.uri().toString()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
            assertThat(directive(page, "script-src")).containsExactly("script-src", "'self'");
            assertThat(directive(page, "default-src")).containsExactly("default-src", "'none'");
            assertThat(directive(page, "frame-ancestors")).containsExactly("frame-ancestors", "'none'");
            assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)")
                    .doesNotContainPattern("\\son[a-z]+\\s*=");
        }
        // The API keeps its own, stricter policy.
        assertThat(directive(get("/api/v1/auth/me", session(user)), "default-src"))
                .containsExactly("default-src", "'none'");
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRefused() {
        TestUsers.Account user = users.user();
        HttpResponse<String> forged = postForm("/signin", Map.of("email", user.email(), "password", user.password()),
                "");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(cookiesSet(forged)).doesNotContain("atrium_session=");

        HttpResponse<String> signOut = postForm("/signout", Map.of(), session(user));
        assertThat(signOut.statusCode()).isEqualTo(403);
        assertThat(api.get("/api/v1/auth/me", user.token()).status()).as("the session survives").isEqualTo(200);

        HttpResponse<String> form = get("/signin", "");
        Matcher field = CSRF_FIELD.matcher(form.body());
        assertThat(field.find()).isTrue();
        String token = field.group(1);
        String csrfCookie = cookiesSet(form);
        assertThat(csrfCookie).startsWith("XSRF-TOKEN=");
        Map<String, String> signIn = Map.of("email", user.email(), "password", user.password(), "_csrf", token);
        assertThat(postForm("/signin", signIn, "").statusCode()).as("token without its cookie").isEqualTo(403);
        assertThat(postForm("/signin", Map.of("email", user.email(), "password", user.password(), "_csrf",
                "forged"), csrfCookie).statusCode()).as("cookie with a forged token").isEqualTo(403);

        HttpResponse<String> wrong = postForm("/signin", Map.of("email", user.email(), "password", "not the password",
                "_csrf", token), csrfCookie);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("role=\"alert\"").contains("value=\"" + user.email() + "\"")
                .doesNotContain("not the password");
        assertThat(cookiesSet(wrong)).doesNotContain("atrium_session=");

        HttpResponse<String> signedIn = postForm("/signin", signIn, csrfCookie);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location").orElseThrow()).endsWith("/");
        assertThat(cookiesSet(signedIn)).contains("atrium_session=");

        HttpResponse<String> chatPage = get("/chats", session(user) + "; " + csrfCookie);
        Matcher signOutField = CSRF_FIELD.matcher(chatPage.body());
        assertThat(signOutField.find()).isTrue();
        HttpResponse<String> signedOut = postForm("/signout", Map.of("_csrf", signOutField.group(1)),
                session(user) + "; " + csrfCookie);
        assertThat(signedOut.statusCode()).as(signedOut.body()).isEqualTo(302);
        assertThat(api.get("/api/v1/auth/me", user.token()).status()).as("the session ended").isEqualTo(401);
    }

    @Test
    void theSidebarsFormsChangeOnlyTheCallersOwnChatsAndCheckWhatTheyAreGiven() {
        TestUsers.Account owner = users.user();
        TestUsers.Account other = users.user();
        String chatId = api.post("/api/v1/chats", Map.of("title", "Lab coats"), owner.token()).json().path("chat")
                .path("id").asString();
        HttpResponse<String> otherPage = get("/chats", session(other));
        Matcher otherToken = CSRF_FIELD.matcher(otherPage.body());
        assertThat(otherToken.find()).isTrue();
        String otherCookies = session(other) + "; " + cookiesSet(otherPage);

        assertThat(postForm("/chats/" + chatId + "/delete", Map.of(), session(other)).statusCode())
                .as("without a token").isEqualTo(403);
        for (String[] action : new String[][]{{"delete"}, {"archive"}, {"pinned", "pinned", "true"},
                {"title", "title", "Taken over"}}) {
            Map<String, String> fields = new java.util.HashMap<>(Map.of("_csrf", otherToken.group(1)));
            if (action.length == 3) {
                fields.put(action[1], action[2]);
            }
            HttpResponse<String> refused = postForm("/chats/" + chatId + "/" + action[0], fields, otherCookies);
            assertThat(refused.statusCode()).as(action[0]).isEqualTo(302);
            assertThat(refused.headers().firstValue("Location").orElseThrow()).as(action[0]).endsWith("/chats");
        }
        Api.Response untouched = api.get("/api/v1/chats/" + chatId, owner.token());
        assertThat(untouched.status()).as("another account's chat is not deleted").isEqualTo(200);
        assertThat(untouched.json().path("chat").path("title").asString()).isEqualTo("Lab coats");
        assertThat(untouched.json().path("chat").path("pinned").asBoolean()).isFalse();
        assertThat(untouched.json().path("chat").path("archived").asBoolean()).isFalse();

        HttpResponse<String> ownPage = get("/chats/" + chatId, session(owner));
        Matcher ownToken = CSRF_FIELD.matcher(ownPage.body());
        assertThat(ownToken.find()).isTrue();
        String ownCookies = session(owner) + "; " + cookiesSet(ownPage);
        // Refused by the form's own rule (a title is required), then by the chat service's bounds, as the API is.
        Map<String, String> refusedTitles = Map.of("   ", "The title must not be empty.",
                "x".repeat(201), "The title must be at most 200 characters.",
                "evil\u202Etxt", "The title must not contain control characters");
        refusedTitles.forEach((title, reason) -> {
            HttpResponse<String> invalid = postForm("/chats/" + chatId + "/title", Map.of("_csrf", ownToken.group(1),
                    "title", title), ownCookies);
            assertThat(invalid.statusCode()).as("title of %d characters", title.length()).isEqualTo(400);
            assertThat(invalid.body()).contains("role=\"alert\"").contains(reason);
        });
        assertThat(api.get("/api/v1/chats/" + chatId, owner.token()).json().path("chat").path("title").asString())
                .as("unchanged by refused titles").isEqualTo("Lab coats");
        HttpResponse<String> longSearch = get("/chats?q=" + "x".repeat(201), session(owner));
        assertThat(longSearch.statusCode()).isEqualTo(400);
        assertThat(longSearch.body()).contains("role=\"alert\"")
                .contains("The search must be at most 200 characters.").contains("Lab coats");
        HttpResponse<String> nulSearch = get("/chats?q=a%00b", session(owner));
        assertThat(nulSearch.statusCode()).as("a search with a NUL").isEqualTo(400);
        assertThat(nulSearch.body()).contains("role=\"alert\"").contains("The search ");

        HttpResponse<String> renamed = postForm("/chats/" + chatId + "/title", Map.of("_csrf", ownToken.group(1),
                "title", "  Lab coats and gloves "), ownCookies);
        assertThat(renamed.statusCode()).isEqualTo(302);
        assertThat(api.get("/api/v1/chats/" + chatId, owner.token()).json().path("chat").path("title").asString())
                .isEqualTo("Lab coats and gloves");
    }

    @Test
    void theKnowledgeFormsActOnlyWhereTheCallerMayAndCheckWhatTheyAreGiven() {
        TestUsers.Account owner = users.user();
        HttpResponse<String> listPage = get("/knowledge", session(owner));
        assertThat(listPage.statusCode()).isEqualTo(200);
        Matcher ownToken = CSRF_FIELD.matcher(listPage.body());
        assertThat(ownToken.find()).isTrue();
        String ownCookies = session(owner) + "; " + cookiesSet(listPage);
        assertThat(postForm("/knowledge", Map.of("name", "Forged"), session(owner)).statusCode())
                .as("without a token").isEqualTo(403);
        // Refused by the collection service's bounds, as the API is: the page says why and keeps what was typed.
        Map<String, String> refusedNames = Map.of("   ", "The collection was not created: the name must not be blank.",
                "x".repeat(201), "the name must be at most 200 characters.",
                "evil\u202Etxt", "the name must not contain control characters");
        refusedNames.forEach((name, reason) -> {
            HttpResponse<String> invalid = postForm("/knowledge", Map.of("_csrf", ownToken.group(1), "name", name,
                    "description", "Kept as typed"), ownCookies);
            assertThat(invalid.statusCode()).as("name of %d characters", name.length()).isEqualTo(400);
            assertThat(invalid.body()).contains("role=\"alert\"").contains(reason).contains("Kept as typed");
        });
        HttpResponse<String> nulDescription = postForm("/knowledge", Map.of("_csrf", ownToken.group(1), "name", "Ok",
                "description", "a\u0000b"), ownCookies);
        assertThat(nulDescription.statusCode()).isEqualTo(400);
        assertThat(nulDescription.body()).contains("the description must not contain the NUL character");
        assertThat(api.get("/api/v1/collections", owner.token()).json().path("total").asLong())
                .as("nothing was created by refused forms").isZero();

        HttpResponse<String> created = postForm("/knowledge", Map.of("_csrf", ownToken.group(1),
                "name", "  Lab handbook ", "description", "Protocols"), ownCookies);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(302);
        String location = created.headers().firstValue("Location").orElseThrow();
        String collectionId = location.substring(location.lastIndexOf('/') + 1);
        Api.Response read = api.get("/api/v1/collections/" + collectionId, owner.token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("name").asString()).isEqualTo("Lab handbook");
        HttpResponse<String> nulSearch = get("/knowledge/" + collectionId + "?q=a%00b", session(owner));
        assertThat(nulSearch.statusCode()).as("a search with a NUL").isEqualTo(400);
        assertThat(nulSearch.body()).contains("role=\"alert\"").contains("The search must not contain the NUL character");

        // Another account does not see it, and its forms change nothing.
        TestUsers.Account other = users.user();
        assertThat(get("/knowledge/" + collectionId, session(other)).headers().firstValue("Location")
                .orElseThrow()).endsWith("/knowledge");
        HttpResponse<String> otherPage = get("/knowledge", session(other));
        assertThat(otherPage.body()).doesNotContain("Lab handbook");
        Matcher otherToken = CSRF_FIELD.matcher(otherPage.body());
        assertThat(otherToken.find()).isTrue();
        String otherCookies = session(other) + "; " + cookiesSet(otherPage);
        for (String action : List.of("delete", "unshare", "share")) {
            HttpResponse<String> refused = postForm("/knowledge/" + collectionId + "/" + action,
                    Map.of("_csrf", otherToken.group(1), "group", java.util.UUID.randomUUID().toString()),
                    otherCookies);
            assertThat(refused.statusCode()).as(action).isEqualTo(302);
            assertThat(refused.headers().firstValue("Location").orElseThrow()).as(action).endsWith("/knowledge");
        }
        // A reader is shown the collection without its writers' forms, and their forms are refused.
        api.put("/api/v1/collections/" + collectionId + "/grants/users/" + other.id(), Map.of("access", "read"),
                owner.token());
        HttpResponse<String> readerPage = get("/knowledge/" + collectionId, session(other));
        assertThat(readerPage.statusCode()).isEqualTo(200);
        assertThat(readerPage.body()).contains("Lab handbook").doesNotContain("id=\"upload\"")
                .doesNotContain("/delete\"");
        HttpResponse<String> readerDelete = postForm("/knowledge/" + collectionId + "/delete",
                Map.of("_csrf", otherToken.group(1)), otherCookies);
        assertThat(readerDelete.statusCode()).isEqualTo(403);
        assertThat(api.get("/api/v1/collections/" + collectionId, owner.token()).status())
                .as("a reader's delete deletes nothing").isEqualTo(200);

        HttpResponse<String> badShare = postForm("/knowledge/" + collectionId + "/share",
                Map.of("_csrf", ownToken.group(1), "group", "not-an-id"), ownCookies);
        assertThat(badShare.statusCode()).isEqualTo(400);
        HttpResponse<String> deleted = postForm("/knowledge/" + collectionId + "/delete",
                Map.of("_csrf", ownToken.group(1)), ownCookies);
        assertThat(deleted.statusCode()).isEqualTo(302);
        assertThat(api.get("/api/v1/collections/" + collectionId, owner.token()).status()).isEqualTo(404);
    }

    @Test
    void theSettingsFormsHoldKeysToTheAPIsBoundsAndShowANewKeyOnlyOnce() {
        TestUsers.Account user = users.user();
        HttpResponse<String> settingsPage = get("/settings", session(user));
        assertThat(settingsPage.statusCode()).isEqualTo(200);
        Matcher token = CSRF_FIELD.matcher(settingsPage.body());
        assertThat(token.find()).isTrue();
        String cookies = session(user) + "; " + cookiesSet(settingsPage);
        assertThat(postForm("/settings/api-keys", Map.of("name", "forged"), session(user)).statusCode())
                .as("without a token").isEqualTo(403);

        Map<Map<String, String>, String> refusedKeys = Map.of(
                Map.of("name", "  "), "The API key was not created: the name must not be blank.",
                Map.of("name", "x".repeat(201)), "the name must be at most 200 characters.",
                Map.of("name", "ok", "expires", "tomorrow"), "the expires must be a day such as 2027-01-31.",
                Map.of("name", "ok", "expires", "2001-01-01"), "the expiresAt must be in the future.");
        refusedKeys.forEach((fields, reason) -> {
            Map<String, String> form = new java.util.HashMap<>(fields);
            form.put("_csrf", token.group(1));
            HttpResponse<String> refused = postForm("/settings/api-keys", form, cookies);
            assertThat(refused.statusCode()).as(fields.toString()).isEqualTo(400);
            assertThat(refused.body()).contains("role=\"alert\"").contains(reason);
        });
        assertThat(api.get("/api/v1/api-keys", user.token()).json().path("items")).as("none created").isEmpty();

        HttpResponse<String> created = postForm("/settings/api-keys", Map.of("_csrf", token.group(1),
                "name", "nightly", "expires", java.time.LocalDate.now().plusYears(1).toString()), cookies);
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        Matcher key = Pattern.compile("id=\"new-api-key\" readonly value=\"([^\"]+)\"").matcher(created.body());
        assertThat(key.find()).isTrue();
        assertThat(api.get("/api/v1/auth/me", key.group(1)).status()).isEqualTo(200);
        assertThat(get("/settings", session(user)).body()).doesNotContain(key.group(1));

        Map<Map<String, String>, String> refusedProviderKeys = Map.of(
                Map.of("connection", "Not A Name", "name", "k", "secret", "sk-123456"),
                "the connection must be lower-case letters, digits and dashes",
                Map.of("connection", "fake", "kind", "password", "name", "k", "secret", "sk-123456"),
                "the kind must be api_key or virtual_key",
                Map.of("connection", "fake", "name", "k", "secret", "abc"), "the secret must be 4 to 4096 characters",
                Map.of("connection", "fake", "name", "k", "secret", "sk-12\u00003456"),
                "the secret must not contain the NUL character");
        refusedProviderKeys.forEach((fields, reason) -> {
            Map<String, String> form = new java.util.HashMap<>(fields);
            form.put("_csrf", token.group(1));
            HttpResponse<String> refused = postForm("/settings/provider-keys", form, cookies);
            assertThat(refused.statusCode()).as(fields.toString()).isEqualTo(400);
            assertThat(refused.body()).contains("role=\"alert\"").contains("The provider key was not stored: ")
                    .contains(reason).doesNotContain("sk-12");
        });
        assertThat(api.get("/api/v1/me/credentials", user.token()).json().path("items")).as("none stored").isEmpty();

        // Another account's key is not revoked by this account's form.
        TestUsers.Account other = users.user();
        String othersKey = api.post("/api/v1/api-keys", Map.of("name", "theirs"), other.token()).json()
                .path("apiKey").path("id").asString();
        HttpResponse<String> revoked = postForm("/settings/api-keys/" + othersKey + "/revoke",
                Map.of("_csrf", token.group(1)), cookies);
        assertThat(revoked.statusCode()).isEqualTo(302);
        assertThat(api.get("/api/v1/api-keys", other.token()).json().path("items")).hasSize(1);
    }

    /** A page's CSRF token and the cookies that go with it, for an account. */
    private record FormSession(String token, String cookies) {
    }

    private FormSession formSession(TestUsers.Account account) {
        HttpResponse<String> page = get("/settings", session(account));
        Matcher token = CSRF_FIELD.matcher(page.body());
        assertThat(token.find()).isTrue();
        return new FormSession(token.group(1), session(account) + "; " + cookiesSet(page));
    }

    @Test
    void aRefusalNoPageDrawsIsAPageWithItsReasonNotTheApisProblemDetails() {
        TestUsers.Account user = users.user();
        UUID collection = new org.atrium.testing.Knowledge(api).personalCollection(user, "Refusals");
        FormSession forms = formSession(user);

        HttpResponse<String> refused = postForm("/knowledge/" + collection + "/share", Map.of("_csrf", forms.token(),
                "group", "not-an-id"), forms.cookies());

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(refused.body()).contains("<h1 id=\"title\">This was not done</h1>")
                .contains("data-code=\"validation_failed\">The group must be an id.</p>")
                .contains("href=\"/\" id=\"go-back\"");
        HttpResponse<String> missing = postForm("/chats/" + UUID.randomUUID() + "/pinned",
                Map.of("_csrf", forms.token()), forms.cookies());
        assertThat(missing.statusCode()).as("a form without its required field").isEqualTo(400);
        assertThat(missing.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(missing.body()).contains("data-code=\"invalid_parameter\">The parameter 'pinned' is missing.")
                .doesNotContain("\"status\"");
        HttpResponse<String> api = get("/api/v1/collections/not-an-id", session(user));
        assertThat(api.headers().firstValue("Content-Type").orElseThrow()).as("the API keeps its problem details")
                .startsWith("application/problem+json");
    }

    @Test
    void anInvitationByAnOverlongAddressFromTheGroupPageIsRefusedBeforeAnyLookup() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "long address");
        FormSession forms = formSession(admin);

        HttpResponse<String> invited = postForm("/groups/" + group + "/invitations",
                Map.of("_csrf", forms.token(), "email", "a".repeat(5_000) + "@example.org"), forms.cookies());

        assertThat(invited.statusCode()).isEqualTo(400);
        assertThat(invited.body()).contains("id=\"page-error\"")
                .contains("The invitation was not sent: the email must be at most 320 characters.");
        assertThat(api.get("/api/v1/groups/" + group + "/invitations", admin.token()).json().path("items")).isEmpty();
    }

    @Test
    void anInvitationIsDeclinedFromTheSettingsPageAndOneRevokedMeanwhileSaysSo() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account invitee = users.user();
        UUID first = users.group(admin, "declined");
        UUID second = users.group(admin, "revoked");
        String declined = api.post("/api/v1/groups/" + first + "/invitations", Map.of("email", invitee.email()),
                admin.token()).json().path("id").asString();
        String revoked = api.post("/api/v1/groups/" + second + "/invitations", Map.of("email", invitee.email()),
                admin.token()).json().path("id").asString();
        FormSession forms = formSession(invitee);
        assertThat(get("/settings", session(invitee)).body()).contains("data-invitation-id=\"" + declined + "\"")
                .contains("data-invitation-id=\"" + revoked + "\"");

        HttpResponse<String> declining = postForm("/settings/invitations/" + declined + "/decline",
                Map.of("_csrf", forms.token()), forms.cookies());
        assertThat(api.delete("/api/v1/groups/" + second + "/invitations/" + revoked, admin.token()).status())
                .isEqualTo(204);
        HttpResponse<String> accepting = postForm("/settings/invitations/" + revoked + "/accept",
                Map.of("_csrf", forms.token()), forms.cookies());

        assertThat(declining.statusCode()).isEqualTo(302);
        assertThat(accepting.statusCode()).isEqualTo(404);
        assertThat(accepting.body()).contains("id=\"invitation-error\"").contains("The invitation was not accepted: ")
                .doesNotContain("data-invitation-id");
        assertThat(api.get("/api/v1/invitations", invitee.token()).json().path("items")).isEmpty();
        for (UUID group : List.of(first, second)) {
            Api.Response members = api.get("/api/v1/groups/" + group + "/members", admin.token());
            assertThat(members.status()).isEqualTo(200);
            assertThat(members.json().path("items")).as("nobody joined").isEmpty();
        }
    }

    @Test
    void theAdminPageIsAdminsOnlyAndTheGroupPageActsOnlyForTheGroupsAdmins() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        HttpResponse<String> refused = get("/admin", session(user));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).isEqualTo("You are not allowed to open this page.");
        assertThat(get("/admin/usage", session(user)).statusCode()).isEqualTo(403);
        FormSession userForms = formSession(user);
        assertThat(postForm("/admin/users/" + user.id() + "/role", Map.of("_csrf", userForms.token(), "role",
                "admin"), userForms.cookies()).statusCode()).as("a user promoting themselves").isEqualTo(403);
        assertThat(api.get("/api/v1/auth/me", user.token()).json().path("role").asString()).isEqualTo("user");
        assertThat(get("/settings", session(user)).body()).doesNotContain("id=\"admin-link\"");

        FormSession adminForms = formSession(admin);
        assertThat(get("/settings", session(admin)).body()).contains("id=\"admin-link\"");
        assertThat(postForm("/admin/groups", Map.of("name", "x"), adminForms.cookies()).statusCode())
                .as("without a token").isEqualTo(403);
        Map<Map<String, String>, String> refusals = Map.of(
                Map.of("path", "/admin/groups", "name", " "), "The group was not created: the name must not be blank.",
                Map.of("path", "/admin/groups", "name", "g".repeat(101)), "the name must be at most 100 characters.",
                Map.of("path", "/admin/connections", "name", "Bad Name", "baseUrl", "http://127.0.0.1:1/v1"),
                "The connection was not added: the name must be lower-case letters",
                Map.of("path", "/admin/connections", "name", "ftp-one", "baseUrl", "ftp://example.org/v1"),
                "The connection was not added: the baseUrl",
                Map.of("path", "/admin/connections", "name", "odd", "kind", "smtp", "baseUrl", "http://x"),
                "the kind must be openai, ollama, anthropic or gemini.",
                Map.of("path", "/admin/users/" + user.id() + "/role", "role", "root"),
                "The role was not changed: the role must be user or admin.",
                Map.of("path", "/admin/settings", "quotas.tokensPerDay", "lots"),
                "The settings were not saved: the quotas.tokensPerDay must be a whole number.",
                Map.of("path", "/admin/settings", "features.autocompletion", "maybe"),
                "the features.autocompletion must be yes, no or not set.",
                Map.of("path", "/admin/settings", "quotas.requestsPerMinute", "-5"),
                "the quotas.requestsPerMinute must be a whole number from 0 to 1000000.");
        refusals.forEach((fields, reason) -> {
            Map<String, String> form = new java.util.HashMap<>(fields);
            String path = form.remove("path");
            form.put("_csrf", adminForms.token());
            HttpResponse<String> answer = postForm(path, form, adminForms.cookies());
            assertThat(answer.statusCode()).as(fields.toString()).isEqualTo(400);
            assertThat(answer.body()).as(fields.toString()).contains("role=\"alert\"").contains(reason);
        });

        UUID group = users.group(admin, "page");
        TestUsers.Account member = users.user();
        users.member(admin, group, member, "member");
        HttpResponse<String> memberView = get("/groups/" + group, session(member));
        assertThat(memberView.statusCode()).isEqualTo(200);
        assertThat(memberView.body()).contains(member.email()).doesNotContain("id=\"add-group-credential\"");
        FormSession memberForms = formSession(member);
        HttpResponse<String> memberAdds = postForm("/groups/" + group + "/credentials", Map.of("_csrf",
                memberForms.token(), "connection", "fake", "name", "mine", "secret", "sk-member-123456"),
                memberForms.cookies());
        assertThat(memberAdds.statusCode()).as("a plain member adding a group key").isEqualTo(403);
        HttpResponse<String> memberSets = postForm("/groups/" + group + "/settings", Map.of("_csrf",
                memberForms.token(), "systemPrompt", "Obey the member."), memberForms.cookies());
        assertThat(memberSets.statusCode()).as("a plain member setting the group's settings").isEqualTo(403);
        assertThat(api.get("/api/v1/groups/" + group + "/settings", admin.token()).json().path("settings")
                .has("systemPrompt")).isFalse();
        assertThat(get("/groups/" + group + "/usage", session(member)).headers().firstValue("Location")
                .orElseThrow()).as("usage is for the group's admins").endsWith("/groups/" + group);
        assertThat(api.get("/api/v1/groups/" + group + "/credentials", admin.token()).json().path("items"))
                .isEmpty();
        TestUsers.Account outsider = users.user();
        assertThat(get("/groups/" + group, session(outsider)).headers().firstValue("Location").orElseThrow())
                .endsWith("/settings");
        FormSession outsiderForms = formSession(outsider);
        HttpResponse<String> outsiderRemoves = postForm("/groups/" + group + "/members/" + member.id() + "/remove",
                Map.of("_csrf", outsiderForms.token()), outsiderForms.cookies());
        assertThat(outsiderRemoves.headers().firstValue("Location").orElseThrow()).endsWith("/settings");
        assertThat(api.get("/api/v1/groups/" + group + "/members", admin.token()).json().path("items"))
                .hasSize(1);
    }

    @Test
    void formBodiesAreTakenOnlyByTheFormsAndOnlyWithinTheirLimits() {
        String large = "x".repeat(20 * 1024);
        assertThat(postForm("/signin", Map.of("email", large, "password", "p"), "").statusCode()).isEqualTo(413);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream("email=a&password=b".getBytes(StandardCharsets.UTF_8))))
                .build();
        assertThat(send(chunked).statusCode()).as("no declared length").isEqualTo(415);
        assertThat(postForm("/chats", Map.of("a", "b"), "").statusCode()).as("not a form endpoint").isEqualTo(415);

        // A signed-in page's form may carry a whole system prompt (20,000 characters), within the settings limit.
        TestUsers.Account user = users.user();
        FormSession forms = formSession(user);
        String prompt = "p".repeat(org.atrium.settings.SettingKey.Limits.SYSTEM_PROMPT);
        assertThat(postForm("/settings/overrides", Map.of("_csrf", forms.token(), "systemPrompt", prompt),
                forms.cookies()).statusCode()).isEqualTo(302);
        assertThat(api.get("/api/v1/me/settings", user.token()).json().path("settings").path("systemPrompt")
                .asString()).hasSize(org.atrium.settings.SettingKey.Limits.SYSTEM_PROMPT);
        assertThat(postForm("/settings/overrides", Map.of("_csrf", forms.token(), "systemPrompt",
                "p".repeat(300 * 1024)), forms.cookies()).statusCode()).isEqualTo(413);
    }

    @Test
    void visitorsGoToSignInAndPendingAccountsToTheirPage() {
        assertThat(get("/", "").headers().firstValue("Location").orElseThrow()).endsWith("/signin");
        HttpResponse<String> anonymous = get("/chats", "");
        assertThat(anonymous.statusCode()).isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location").orElseThrow()).endsWith("/signin");

        TestUsers.Account pending = users.pending();
        assertThat(get("/", session(pending)).headers().firstValue("Location").orElseThrow()).endsWith("/pending");
        assertThat(get("/chats", session(pending)).headers().firstValue("Location").orElseThrow())
                .endsWith("/pending");
        HttpResponse<String> waiting = get("/pending", session(pending));
        assertThat(waiting.statusCode()).isEqualTo(200);
        assertThat(waiting.body()).contains("Waiting for approval");

        TestUsers.Account user = users.user();
        assertThat(get("/", session(user)).headers().firstValue("Location").orElseThrow()).endsWith("/chats");
        assertThat(get("/pending", session(user)).headers().firstValue("Location").orElseThrow()).endsWith("/");
    }

    @Test
    void theLibrariesAreServedFromAtrium() {
        for (String path : List.of("/webjars/marked/lib/marked.umd.js", "/webjars/dompurify/dist/purify.min.js",
                "/webjars/highlightjs/highlight.min.js", "/webjars/highlightjs/styles/github-dark.min.css",
                "/assets/chat.js", "/assets/knowledge.js", "/assets/forms.js", "/assets/atrium.css")) {
            assertThat(get(path, "").statusCode()).as(path).isEqualTo(200);
        }
    }
}
