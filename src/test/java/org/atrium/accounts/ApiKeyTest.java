package org.atrium.accounts;

import org.atrium.cache.Scope;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeyTest extends IntegrationTest {

    @Test
    void keyIsShownOnceThenListedMaskedAndStoredOnlyAsDigest() {
        TestUsers.Account owner = users.user();
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "export"), owner.token());
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().path("key").asString();
        assertThat(key).startsWith("atk_").hasSizeGreaterThan(40);

        Api.Response listed = api.get("/api/v1/api-keys", owner.token());
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.text()).doesNotContain(key.substring(4, key.length() - 4));
        assertThat(listed.json().path("items").get(0).path("maskedKey").asString())
                .isEqualTo("atk_..." + key.substring(key.length() - 4));

        long plaintextRows = jdbc.sql("select count(*) from api_keys where encode(token_hash, 'escape') like :k")
                .param("k", "%" + key + "%").query(Long.class).single();
        assertThat(plaintextRows).isZero();
    }

    @Test
    void bearerAndXApiKeyHeadersAcceptTheSameKeyAndRejectItOnceRevoked() {
        TestUsers.Account owner = users.user();
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "script"), owner.token());
        String key = created.json().path("key").asString();
        String keyId = created.json().path("apiKey").path("id").asString();

        assertThat(api.get("/api/v1/auth/me", key).json().path("id").asString()).isEqualTo(owner.id().toString());
        assertThat(api.send("GET", "/api/v1/auth/me", null, Map.of("x-api-key", key)).status()).isEqualTo(200);

        assertThat(api.delete("/api/v1/api-keys/" + keyId, owner.token()).status()).isEqualTo(204);

        Api.Response bearer = api.get("/api/v1/auth/me", key);
        Api.Response header = api.send("GET", "/api/v1/auth/me", null, Map.of("x-api-key", key));
        assertThat(bearer.status()).isEqualTo(401);
        assertThat(header.status()).isEqualTo(401);
        assertThat(bearer.json().path("code").asString()).isEqualTo("invalid_credentials");
        assertThat(header.json().path("code").asString()).isEqualTo("invalid_credentials");
    }

    @Test
    void expiredKeyIsRejectedOnBothHeaders() {
        TestUsers.Account owner = users.user();
        Instant soon = Instant.now().plus(1, ChronoUnit.HOURS);
        Api.Response created = api.post("/api/v1/api-keys", Map.of("name", "short", "expiresAt", soon.toString()),
                owner.token());
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().path("key").asString();
        assertThat(api.get("/api/v1/auth/me", key).status()).isEqualTo(200);

        direct.update("update api_keys set expires_at = now() - interval '1 second' where id = :id",
                Map.of("id", UUID.fromString(created.json().path("apiKey").path("id").asString())),
                Scope.user(owner.id()));

        assertThat(api.get("/api/v1/auth/me", key).status()).isEqualTo(401);
        assertThat(api.send("GET", "/api/v1/auth/me", null, Map.of("x-api-key", key)).status()).isEqualTo(401);
    }

    @Test
    void keyStopsWorkingWhenItsExpiryPassesEvenWhileCached() throws InterruptedException {
        TestUsers.Account owner = users.user();
        Instant expiry = Instant.now().plusSeconds(2);
        String key = api.post("/api/v1/api-keys", Map.of("name", "brief", "expiresAt", expiry.toString()),
                owner.token()).json().path("key").asString();
        assertThat(api.get("/api/v1/auth/me", key).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/auth/me", key).status()).as("served from the cache").isEqualTo(200);

        Thread.sleep(Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis()) + 100);

        assertThat(api.get("/api/v1/auth/me", key).status()).isEqualTo(401);
    }

    @Test
    void expiryInThePastIsRefusedNamingTheField() {
        TestUsers.Account owner = users.user();
        Api.Response refused = api.post("/api/v1/api-keys",
                Map.of("name", "late", "expiresAt", Instant.now().minusSeconds(60).toString()), owner.token());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("expiresAt");
    }

    @Test
    void sessionTokenIsNotAcceptedAsXApiKey() {
        TestUsers.Account owner = users.user();
        Api.Response response = api.send("GET", "/api/v1/auth/me", null, Map.of("x-api-key", owner.token()));
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void onlyTheOwnerOrAnAdminRevokesAKey() {
        TestUsers.Account owner = users.user();
        TestUsers.Account stranger = users.user();
        TestUsers.Account admin = users.admin();
        String keyId = api.post("/api/v1/api-keys", Map.of("name", "mine"), owner.token())
                .json().path("apiKey").path("id").asString();

        Api.Response strangerTry = api.delete("/api/v1/api-keys/" + keyId, stranger.token());
        assertThat(strangerTry.status()).isEqualTo(404);
        assertThat(strangerTry.json().path("code").asString()).isEqualTo("api_key_not_found");

        assertThat(api.delete("/api/v1/api-keys/" + keyId, admin.token()).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/api-keys", owner.token()).json().path("items").size()).isZero();
    }
}
