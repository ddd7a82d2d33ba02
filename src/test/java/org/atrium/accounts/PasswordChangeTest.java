package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/auth/password}: the current password is checked (and guessing it is throttled like sign-in),
 * the new one is bounded, and a change signs out every other session on every replica while API keys keep working.
 */
class PasswordChangeTest extends IntegrationTest {

    private static final String PASSWORD = "/api/v1/auth/password";

    private Api.Response change(String token, String current, String next) {
        return api.post(PASSWORD, Map.of("currentPassword", current, "newPassword", next), token);
    }

    private String signIn(TestUsers.Account user, String password) {
        Api.Response signedIn = api.post("/api/v1/auth/signin", Map.of("email", user.email(), "password",
                password), null);
        assertThat(signedIn.status()).as(signedIn.text()).isEqualTo(200);
        return signedIn.json().path("token").asString();
    }

    @Test
    void aChangeKeepsTheAskingSessionEndsTheOthersAndLeavesApiKeysWorking() {
        TestUsers.Account user = users.user();
        String asking = signIn(user, user.password());
        Api.Response key = api.post("/api/v1/api-keys", Map.of("name", "script"), user.token());
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        String apiKey = key.json().path("key").asString();

        Api.Response changed = change(asking, user.password(), "correct horse, new staple");

        assertThat(changed.status()).as(changed.text()).isEqualTo(200);
        assertThat(changed.json().path("sessionsEnded").asInt()).as("the test's own session").isEqualTo(1);
        assertThat(api.get("/api/v1/auth/me", asking).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/auth/me", user.token()).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/auth/me", apiKey).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/auth/signin", Map.of("email", user.email(), "password", user.password()),
                null).status()).isEqualTo(401);
        signIn(user, "correct horse, new staple");

        Api.Response byKey = change(apiKey, "correct horse, new staple", "a third password, longer");
        assertThat(byKey.status()).as(byKey.text()).isEqualTo(200);
        assertThat(byKey.json().path("sessionsEnded").asInt()).as("every session, the asking one too")
                .isEqualTo(2);
        assertThat(api.get("/api/v1/auth/me", asking).status()).isEqualTo(401);
    }

    @Test
    void aWrongCurrentPasswordOrAnUnfitNewOneChangesNothing() {
        TestUsers.Account user = users.user();

        Api.Response wrong = change(user.token(), "not the password", "correct horse, new staple");
        Api.Response tooShort = change(user.token(), user.password(), "short");
        Api.Response tooLong = change(user.token(), user.password(), "é".repeat(40));

        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.header("Content-Type")).startsWith("application/problem+json");
        assertThat(wrong.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(wrong.text()).contains("currentPassword");
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.text()).contains("newPassword");
        assertThat(tooLong.status()).as("80 bytes in UTF-8").isEqualTo(400);
        assertThat(tooLong.text()).contains("72 bytes");
        assertThat(api.get("/api/v1/auth/me", user.token()).status()).isEqualTo(200);
        signIn(user, user.password());
    }

    @Test
    void guessingTheCurrentPasswordIsThrottled() {
        TestUsers.Account user = users.user();

        Api.Response last = null;
        for (int attempt = 0; attempt < 15; attempt++) {
            last = change(user.token(), "guess " + attempt, "correct horse, new staple");
            if (last.status() == 429) {
                break;
            }
            assertThat(last.status()).isEqualTo(400);
        }

        assertThat(last.status()).isEqualTo(429);
        assertThat(last.json().path("code").asString()).isEqualTo("too_many_attempts");
        assertThat(Long.parseLong(last.header("Retry-After"))).isPositive();
        assertThat(change(user.token(), user.password(), "correct horse, new staple").status())
                .as("even the right password waits").isEqualTo(429);
    }
}
