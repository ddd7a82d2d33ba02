package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bcrypt cost of password hashes: the test suite sets {@code atrium.passwords.hash-cost} to 4, new hashes have
 * that cost, and signing in works as ever (right password, wrong password, unknown e-mail address). The default and
 * the bounds are {@link PasswordPropertiesTest}'s.
 */
class PasswordHashingTest extends IntegrationTest {

    @Test
    void newHashesHaveTheConfiguredCostAndStillSignIn() {
        TestUsers.Account account = users.user();
        String hash = jdbc.sql("select password_hash from users where id = :id").param("id", account.id())
                .query(String.class).single();
        assertThat(hash).startsWith("$2a$04$");

        Api.Response signedIn = api.post("/api/v1/auth/signin",
                Map.of("email", account.email(), "password", TestUsers.PASSWORD), null);
        assertThat(signedIn.status()).as(signedIn.text()).isEqualTo(200);
        Api.Response wrong = api.post("/api/v1/auth/signin",
                Map.of("email", account.email(), "password", "not the password"), null);
        assertThat(wrong.status()).isEqualTo(401);
        Api.Response unknown = api.post("/api/v1/auth/signin",
                Map.of("email", TestUsers.uniqueEmail("nobody"), "password", TestUsers.PASSWORD), null);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().path("code").asString()).isEqualTo("invalid_credentials");
    }
}
