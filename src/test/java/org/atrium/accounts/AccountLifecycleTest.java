package org.atrium.accounts;

import org.atrium.cache.Scope;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sign-up, sign-in, sign-out, approval, role changes and deletion of accounts, over HTTP against the shared database.
 * The last-admin rule needs a database with a known number of admins and is covered by {@link SignupPolicyTest}.
 */
class AccountLifecycleTest extends IntegrationTest {

    private static final String SIGNUP = "/api/v1/auth/signup";
    private static final String SIGNIN = "/api/v1/auth/signin";
    private static final String SIGNOUT = "/api/v1/auth/signout";
    private static final String ME = "/api/v1/auth/me";

    @Test
    void signUpAnswers201WithTokenAndHttpOnlyLaxSessionCookie() {
        String email = TestUsers.uniqueEmail("signup");
        Api.Response response = api.post(SIGNUP, Map.of("email", email, "name", "Ada", "password", TestUsers.PASSWORD),
                null);

        assertThat(response.status()).isEqualTo(201);
        JsonNode body = response.json();
        String token = body.path("token").asString();
        assertThat(token).startsWith("ats_").hasSizeGreaterThan(40);
        assertThat(body.path("user").path("email").asString()).isEqualTo(email);
        assertThat(body.path("user").path("name").asString()).isEqualTo("Ada");
        assertThat(body.path("user").has("passwordHash")).isFalse();
        assertThat(response.text()).doesNotContain(TestUsers.PASSWORD);

        String cookie = response.header("Set-Cookie");
        assertThat(cookie).isNotNull().startsWith("atrium_session=" + token + ";");
        List<String> attributes = attributes(cookie);
        assertThat(attributes).contains("httponly", "samesite=lax", "path=/");
        long maxAge = attributes.stream().filter(a -> a.startsWith("max-age="))
                .mapToLong(a -> Long.parseLong(a.substring("max-age=".length()))).findFirst().orElse(-1);
        assertThat(maxAge).as("cookie lives as long as the 7-day session").isBetween(7 * 86_400L - 120, 7 * 86_400L);
    }

    @Test
    void expiredSessionTokenIsRefused() {
        Api.Response signedUp = signUp(TestUsers.uniqueEmail("expired"), TestUsers.PASSWORD);
        String token = signedUp.json().path("token").asString();
        assertThat(api.get(ME, token).status()).isEqualTo(200);

        UUID userId = UUID.fromString(signedUp.json().path("user").path("id").asString());
        direct.update("update sessions set expires_at = now() - interval '1 second' where user_id = :id",
                Map.of("id", userId), Scope.user(userId));

        Api.Response bearer = api.get(ME, token);
        assertThat(bearer.status()).isEqualTo(401);
        assertThat(bearer.json().path("code").asString()).isEqualTo("invalid_credentials");
        assertThat(withCookie("GET", ME, token).status()).isEqualTo(401);
    }

    @Test
    void sessionCookieAloneAuthenticatesMe() {
        Api.Response signedUp = signUp(TestUsers.uniqueEmail("cookie"), TestUsers.PASSWORD);
        String token = signedUp.json().path("token").asString();

        Api.Response me = withCookie("GET", ME, token);

        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("id").asString()).isEqualTo(signedUp.json().path("user").path("id").asString());
    }

    @Test
    void signInWithTheRightPasswordOpensANewSession() {
        String email = TestUsers.uniqueEmail("signin");
        String firstToken = signUp(email, TestUsers.PASSWORD).json().path("token").asString();

        Api.Response signedIn = api.post(SIGNIN, Map.of("email", email.toUpperCase(), "password", TestUsers.PASSWORD),
                null);

        assertThat(signedIn.status()).isEqualTo(200);
        String secondToken = signedIn.json().path("token").asString();
        assertThat(secondToken).startsWith("ats_").isNotEqualTo(firstToken);
        assertThat(signedIn.header("Set-Cookie")).startsWith("atrium_session=" + secondToken + ";");
        assertThat(api.get(ME, secondToken).json().path("email").asString()).isEqualTo(email);
    }

    @Test
    void wrongPasswordAndUnknownEmailAreRefusedIdentically() {
        String email = TestUsers.uniqueEmail("guess");
        signUp(email, TestUsers.PASSWORD);

        Api.Response wrongPassword = api.post(SIGNIN, Map.of("email", email, "password", "not the password"), null);
        Api.Response unknownEmail = api.post(SIGNIN,
                Map.of("email", TestUsers.uniqueEmail("nobody"), "password", TestUsers.PASSWORD), null);

        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(unknownEmail.status()).isEqualTo(401);
        assertThat(wrongPassword.json().path("code").asString()).isEqualTo("invalid_credentials");
        assertThat(unknownEmail.json().path("code").asString()).isEqualTo("invalid_credentials");
        assertThat(wrongPassword.json().path("detail").asString())
                .isNotBlank()
                .isEqualTo(unknownEmail.json().path("detail").asString());
        assertThat(wrongPassword.header("Set-Cookie")).isNull();
    }

    @Test
    void signInWithAPasswordLongerThanBcryptAcceptsIsRefusedAsInvalidCredentials() {
        String email = TestUsers.uniqueEmail("longpw");
        signUp(email, TestUsers.PASSWORD);

        Api.Response response = api.post(SIGNIN, Map.of("email", email, "password", "x".repeat(100)), null);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().path("code").asString()).isEqualTo("invalid_credentials");
    }

    @Test
    void concurrentSignUpsWithTheSameEmailCreateExactlyOneAccount() throws Exception {
        String email = TestUsers.uniqueEmail("race");
        int count = 6;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Api.Response>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(count)) {
            for (int i = 0; i < count; i++) {
                String variant = i % 2 == 0 ? email : email.toUpperCase();
                futures.add(pool.submit(() -> {
                    go.await();
                    return signUp(variant, TestUsers.PASSWORD);
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                Api.Response response = future.get(60, TimeUnit.SECONDS);
                statuses.add(response.status());
                if (response.status() != 201) {
                    assertThat(response.json().path("code").asString()).as(response.text()).isEqualTo("email_taken");
                }
            }
            assertThat(statuses).containsOnlyOnce(201).containsOnly(201, 409);
        }
        long rows = jdbc.sql("select count(*) from users where lower(email) = lower(:email)")
                .param("email", email).query(Long.class).single();
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void emailIsTakenRegardlessOfCase() {
        String email = TestUsers.uniqueEmail("dup");
        assertThat(signUp(email, TestUsers.PASSWORD).status()).isEqualTo(201);

        Api.Response again = signUp(email.toUpperCase(), "another good password");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("code").asString()).isEqualTo("email_taken");
        long rows = jdbc.sql("select count(*) from users where lower(email) = lower(:email)")
                .param("email", email).query(Long.class).single();
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void invalidEmailIsRefusedNamingTheField() {
        Api.Response response = api.post(SIGNUP,
                Map.of("email", "not-an-email", "name", "Bad", "password", TestUsers.PASSWORD), null);

        assertValidationFailed(response, "email");
    }

    @Test
    void shortPasswordIsRefusedNamingTheField() {
        Api.Response response = signUp(TestUsers.uniqueEmail("short"), "1234567");

        assertValidationFailed(response, "password");
    }

    @Test
    void passwordOverSeventyTwoUtf8BytesIsRefusedEvenWhenUnderSeventyTwoCharacters() {
        String email = TestUsers.uniqueEmail("utf8");
        String twoByteChars = "é".repeat(40);

        Api.Response response = signUp(email, twoByteChars);

        assertValidationFailed(response, "password");
        long rows = jdbc.sql("select count(*) from users where lower(email) = lower(:email)")
                .param("email", email).query(Long.class).single();
        assertThat(rows).isZero();
    }

    @Test
    void passwordOfExactlySeventyTwoUtf8BytesIsAcceptedAndSignsIn() {
        String email = TestUsers.uniqueEmail("utf8ok");
        String password = "é".repeat(36);

        assertThat(signUp(email, password).status()).isEqualTo(201);
        assertThat(api.post(SIGNIN, Map.of("email", email, "password", password), null).status()).isEqualTo(200);
    }

    @Test
    void pendingAccountReadsItselfButNothingElse() {
        TestUsers.Account pending = users.pending();

        Api.Response groups = api.get("/api/v1/groups", pending.token());
        Api.Response me = api.get(ME, pending.token());

        assertThat(groups.status()).isEqualTo(403);
        assertThat(groups.json().path("code").asString()).isEqualTo("account_pending");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("role").asString()).isEqualTo("pending");
    }

    @Test
    void pendingAccountCanSignOut() {
        TestUsers.Account pending = users.pending();

        assertThat(api.post(SIGNOUT, null, pending.token()).status()).isEqualTo(204);

        assertThat(api.get(ME, pending.token()).status()).isEqualTo(401);
    }

    @Test
    void approvalAppliesToTheVeryNextRequestWithTheSameToken() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account pending = users.pending();
        assertThat(api.get("/api/v1/groups", pending.token()).status()).isEqualTo(403);

        Api.Response approved = api.patch("/api/v1/users/" + pending.id(), Map.of("role", "user"), admin.token());

        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.json().path("role").asString()).isEqualTo("user");
        assertThat(api.get("/api/v1/groups", pending.token()).status()).isEqualTo(200);
        assertThat(api.get(ME, pending.token()).json().path("role").asString()).isEqualTo("user");
    }

    @Test
    void demotionToPendingAppliesToTheVeryNextRequest() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        assertThat(api.get("/api/v1/groups", user.token()).status()).isEqualTo(200);

        assertThat(api.patch("/api/v1/users/" + user.id(), Map.of("role", "pending"), admin.token()).status())
                .isEqualTo(200);

        Api.Response after = api.get("/api/v1/groups", user.token());
        assertThat(after.status()).isEqualTo(403);
        assertThat(after.json().path("code").asString()).isEqualTo("account_pending");
    }

    @Test
    void demotedAdminLosesAdminRightsOnTheVeryNextRequest() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account other = users.admin();
        assertThat(api.get("/api/v1/users?limit=1", other.token()).status()).isEqualTo(200);

        assertThat(api.patch("/api/v1/users/" + other.id(), Map.of("role", "user"), admin.token()).status())
                .isEqualTo(200);

        Api.Response after = api.get("/api/v1/users?limit=1", other.token());
        assertThat(after.status()).isEqualTo(403);
        assertThat(after.json().path("code").asString()).isEqualTo("admin_required");
    }

    @Test
    void onlyAdminsChangeRoles() {
        TestUsers.Account user = users.user();
        TestUsers.Account pending = users.pending();

        Api.Response response = api.patch("/api/v1/users/" + pending.id(), Map.of("role", "user"), user.token());

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().path("code").asString()).isEqualTo("admin_required");
        assertThat(api.get(ME, pending.token()).json().path("role").asString()).isEqualTo("pending");
    }

    @Test
    void unknownRoleIsRefusedAndUnknownUserIsNotFound() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();

        Api.Response badRole = api.patch("/api/v1/users/" + user.id(), Map.of("role", "superuser"), admin.token());
        Api.Response missing = api.patch("/api/v1/users/" + UUID.randomUUID(), Map.of("role", "user"),
                admin.token());

        assertThat(badRole.status()).isEqualTo(400);
        assertThat(api.get(ME, user.token()).json().path("role").asString()).isEqualTo("user");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("code").asString()).isEqualTo("user_not_found");
    }

    @Test
    void signOutEndsOnlyThatSessionAndClearsTheCookie() {
        String email = TestUsers.uniqueEmail("signout");
        String first = signUp(email, TestUsers.PASSWORD).json().path("token").asString();
        String second = api.post(SIGNIN, Map.of("email", email, "password", TestUsers.PASSWORD), null)
                .json().path("token").asString();

        Api.Response signedOut = api.post(SIGNOUT, null, first);

        assertThat(signedOut.status()).isEqualTo(204);
        assertThat(signedOut.header("Set-Cookie")).startsWith("atrium_session=;");
        assertThat(attributes(signedOut.header("Set-Cookie"))).contains("max-age=0");
        Api.Response reused = api.get(ME, first);
        assertThat(reused.status()).isEqualTo(401);
        assertThat(reused.json().path("code").asString()).isEqualTo("invalid_credentials");
        assertThat(api.get(ME, second).status()).isEqualTo(200);
    }

    @Test
    void signOutWithAnApiKeyLeavesTheKeyAndTheSessionsWorking() {
        TestUsers.Account user = users.user();
        String key = api.post("/api/v1/api-keys", Map.of("name", "signout"), user.token()).json().path("key").asString();

        assertThat(api.post(SIGNOUT, null, key).status()).isEqualTo(204);

        assertThat(api.get(ME, key).status()).isEqualTo(200);
        assertThat(api.get(ME, user.token()).status()).isEqualTo(200);
    }

    @Test
    void signOutWithTheCookieEndsTheSessionAndAStaleCookieIsTreatedAsAnonymous() {
        String token = signUp(TestUsers.uniqueEmail("cookieout"), TestUsers.PASSWORD).json().path("token").asString();

        assertThat(withCookie("POST", SIGNOUT, token).status()).isEqualTo(204);

        Api.Response stale = withCookie("GET", ME, token);
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.json().path("code").asString()).isEqualTo("unauthenticated");
        assertThat(api.get(ME, token).status()).isEqualTo(401);
    }

    @Test
    void deletingAUserEndsTheirSessionsAndKeysAndMembershipsAtOnce() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account doomed = users.user();
        TestUsers.Account bystander = users.user();
        String key = api.post("/api/v1/api-keys", Map.of("name", "doomed key"), doomed.token())
                .json().path("key").asString();
        UUID groupId = users.group(admin, "deletion");
        users.member(admin, groupId, doomed, "member");
        users.member(admin, groupId, bystander, "member");
        assertThat(api.get(ME, doomed.token()).status()).isEqualTo(200);
        assertThat(api.get(ME, key).status()).isEqualTo(200);
        assertThat(memberIds(admin, groupId)).contains(doomed.id().toString());

        Api.Response deleted = api.delete("/api/v1/users/" + doomed.id(), admin.token());

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(api.get(ME, doomed.token()).status()).isEqualTo(401);
        assertThat(api.get(ME, key).status()).isEqualTo(401);
        assertThat(api.send("GET", ME, null, Map.of("x-api-key", key)).status()).isEqualTo(401);
        assertThat(memberIds(admin, groupId)).containsExactly(bystander.id().toString());
        Api.Response group = api.get("/api/v1/groups/" + groupId, admin.token());
        assertThat(group.json().path("memberCount").asInt()).isEqualTo(1);
        Api.Response lookup = api.get("/api/v1/users/" + doomed.id(), admin.token());
        assertThat(lookup.status()).isEqualTo(404);
        assertThat(lookup.json().path("code").asString()).isEqualTo("user_not_found");
        assertThat(api.post(SIGNIN, Map.of("email", doomed.email(), "password", doomed.password()), null).status())
                .isEqualTo(401);

        assertThat(api.delete("/api/v1/users/" + doomed.id(), admin.token()).status()).isEqualTo(204);
    }

    @Test
    void deletedEmailCanSignUpAgainAsANewAccount() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account doomed = users.user();
        assertThat(api.delete("/api/v1/users/" + doomed.id(), admin.token()).status()).isEqualTo(204);

        Api.Response again = signUp(doomed.email(), TestUsers.PASSWORD);

        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().path("user").path("id").asString()).isNotEqualTo(doomed.id().toString());
    }

    @Test
    void onlyAdminsDeleteUsers() {
        TestUsers.Account user = users.user();
        TestUsers.Account victim = users.user();

        Api.Response response = api.delete("/api/v1/users/" + victim.id(), user.token());

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().path("code").asString()).isEqualTo("admin_required");
        assertThat(api.get(ME, victim.token()).status()).isEqualTo(200);
    }

    @Test
    void nonAdminReadsOnlyTheirOwnAccount() {
        TestUsers.Account user = users.user();
        TestUsers.Account other = users.user();

        assertThat(api.get("/api/v1/users/" + user.id(), user.token()).status()).isEqualTo(200);
        Api.Response foreign = api.get("/api/v1/users/" + other.id(), user.token());
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.json().path("code").asString()).isEqualTo("user_not_found");
        assertThat(api.get("/api/v1/users", user.token()).json().path("code").asString())
                .isEqualTo("admin_required");
    }

    @Test
    void userListRefusesLimitOutsideOneToTwoHundredNamingLimit() {
        TestUsers.Account admin = users.admin();

        assertValidationFailed(api.get("/api/v1/users?limit=0", admin.token()), "limit");
        assertValidationFailed(api.get("/api/v1/users?limit=201", admin.token()), "limit");
        Api.Response page = api.get("/api/v1/users?offset=0&limit=2", admin.token());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().path("items").size()).isEqualTo(2);
        assertThat(page.json().path("total").asLong()).isGreaterThanOrEqualTo(2);
    }

    private Api.Response signUp(String email, String password) {
        return api.post(SIGNUP, Map.of("email", email, "name", "Someone", "password", password), null);
    }

    private Api.Response withCookie(String method, String path, String token) {
        return api.send(method, path, null, Map.of("Cookie", "atrium_session=" + token));
    }

    private List<String> memberIds(TestUsers.Account admin, UUID groupId) {
        Api.Response response = api.get("/api/v1/groups/" + groupId + "/members?limit=200", admin.token());
        assertThat(response.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().path("items").forEach(item -> ids.add(item.path("userId").asString()));
        return ids;
    }

    private static List<String> attributes(String cookie) {
        List<String> result = new ArrayList<>();
        for (String part : cookie.split(";")) {
            result.add(part.strip().toLowerCase());
        }
        return result;
    }

    private static void assertValidationFailed(Api.Response response, String field) {
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        List<String> fields = new ArrayList<>();
        response.json().path("errors").forEach(error -> fields.add(error.path("field").asString()));
        assertThat(fields).containsExactly(field);
    }
}
