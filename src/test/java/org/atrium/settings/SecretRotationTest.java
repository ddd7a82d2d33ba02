package org.atrium.settings;

import org.atrium.platform.SecretCipher;
import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Key rotation with real processes, as an operator does it: serve with k1, stop, {@code rotate-secrets} with k1 and
 * k2 (k2 active), serve with only k2. And cluster mode refuses to start without a configured key.
 */
class SecretRotationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void rotateSecretsReEncryptsWithTheActiveKeySoTheOldKeyCanBeRemoved() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("rotation");
        JdbcClient jdbc = jdbc(database);
        byte[] k1 = randomKey();
        byte[] k2 = randomKey();
        String secret = "sk-rotate-" + UUID.randomUUID().toString().replace("-", "");
        String token;
        UUID credentialId;

        try (AtriumProcess first = AtriumProcess.builder().database(database)
                .env("ATRIUM_SECRETS_KEYS_K1", base64(k1)).start()) {
            first.awaitReady(TIMEOUT);
            Api api = first.api();
            Api.Response signup = api.post("/api/v1/auth/signup", Map.of("email",
                    TestUsers.uniqueEmail("rotation"), "name", "Operator", "password", TestUsers.PASSWORD), null);
            assertThat(signup.status()).as(signup.text()).isEqualTo(201);
            assertThat(signup.json().path("user").path("role").asString()).as("the first account is admin")
                    .isEqualTo("admin");
            token = signup.json().path("token").asString();
            Api.Response created = api.post("/api/v1/settings/instance/credentials", Map.of("connection", "openai",
                    "kind", "api_key", "name", "Company key", "secret", secret, "sharedWithAll", true), token);
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            credentialId = UUID.fromString(created.json().path("id").asString());
            assertThat(first.stop(TIMEOUT)).as(first.output()).isIn(0, 143);
        }
        SecretCipher.Sealed beforeRotation = sealed(jdbc, credentialId);
        assertThat(beforeRotation.keyId()).isEqualTo("k1");
        assertThat(open(Map.of("k1", k1), "k1", beforeRotation, credentialId)).isEqualTo(secret);

        try (AtriumProcess rotate = AtriumProcess.builder().database(database)
                .env("ATRIUM_SECRETS_KEYS_K1", base64(k1))
                .env("ATRIUM_SECRETS_KEYS_K2", base64(k2))
                .env("ATRIUM_SECRETS_ACTIVE_KEY", "k2")
                .args("rotate-secrets").start()) {
            assertThat(rotate.awaitExit(TIMEOUT)).as(rotate.output()).isZero();
            assertThat(rotate.output()).doesNotContain(secret);
        }
        SecretCipher.Sealed afterRotation = sealed(jdbc, credentialId);
        assertThat(afterRotation.keyId()).isEqualTo("k2");
        assertThat(afterRotation.ciphertext()).isNotEqualTo(beforeRotation.ciphertext());
        assertThat(afterRotation.nonce()).isNotEqualTo(beforeRotation.nonce());
        assertThat(open(Map.of("k2", k2), "k2", afterRotation, credentialId))
                .as("the re-encrypted secret opens with k2 alone").isEqualTo(secret);
        assertThatThrownBy(() -> open(Map.of("k1", k1), "k1", afterRotation, credentialId))
                .as("k1 is no longer needed").isInstanceOf(IllegalStateException.class);

        try (AtriumProcess second = AtriumProcess.builder().database(database)
                .env("ATRIUM_SECRETS_KEYS_K2", base64(k2)).start()) {
            second.awaitReady(TIMEOUT);
            Api.Response listed = second.api().get("/api/v1/settings/instance/credentials", token);
            assertThat(listed.status()).as(listed.text()).isEqualTo(200);
            JsonNode item = listed.json().path("items").get(0);
            assertThat(item.path("id").asString()).isEqualTo(credentialId.toString());
            assertThat(item.path("maskedSecret").asString()).isEqualTo("sk-..." + secret.substring(secret.length() - 4));
            assertThat(listed.text()).doesNotContain(secret);
            Api.Response state = second.api().get("/api/v1/me/effective-state", token);
            assertThat(state.status()).as(state.text()).isEqualTo(200);
            assertThat(state.json().path("credentials").get(0).path("credentialId").asString())
                    .isEqualTo(credentialId.toString());
            assertThat(second.output()).doesNotContain(secret);
        }
    }

    /**
     * The documented rotation on a zero-setup single node: secrets were encrypted with the generated key ('local');
     * configuring a key must not make them unreadable, so rotate-secrets can move them to it.
     */
    @Test
    void onASingleNodeTheGeneratedKeyStaysUsableAfterAKeyIsConfiguredSoRotateSecretsMovesItsSecrets(
            @TempDir Path dataDir) {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("rotationlocal");
        JdbcClient jdbc = jdbc(database);
        byte[] k1 = randomKey();
        String secret = "sk-local-" + UUID.randomUUID().toString().replace("-", "");
        UUID credentialId;
        try (AtriumProcess zeroSetup = AtriumProcess.builder().database(database)
                .env("ATRIUM_DATA_DIR", dataDir.toString()).start()) {
            zeroSetup.awaitReady(TIMEOUT);
            String token = zeroSetup.api().post("/api/v1/auth/signup", Map.of("email",
                            TestUsers.uniqueEmail("rotation"), "name", "Operator", "password", TestUsers.PASSWORD),
                    null).json().path("token").asString();
            Api.Response created = zeroSetup.api().post("/api/v1/settings/instance/credentials", Map.of(
                    "connection", "openai", "kind", "api_key", "name", "Key", "secret", secret), token);
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            credentialId = UUID.fromString(created.json().path("id").asString());
            assertThat(zeroSetup.stop(TIMEOUT)).as(zeroSetup.output()).isIn(0, 143);
        }
        assertThat(sealed(jdbc, credentialId).keyId()).isEqualTo("local");

        try (AtriumProcess rotate = AtriumProcess.builder().database(database)
                .env("ATRIUM_DATA_DIR", dataDir.toString())
                .env("ATRIUM_SECRETS_KEYS_K1", base64(k1))
                .args("rotate-secrets").start()) {
            assertThat(rotate.awaitExit(TIMEOUT)).as(rotate.output()).isZero();
            assertThat(rotate.output()).contains("secrets.key.generated_kept").doesNotContain(secret);
        }
        SecretCipher.Sealed rotated = sealed(jdbc, credentialId);
        assertThat(rotated.keyId()).isEqualTo("k1");
        assertThat(open(Map.of("k1", k1), "k1", rotated, credentialId)).as("opens with k1 alone").isEqualTo(secret);
    }

    @Test
    void rotateSecretsFailsWithoutTheKeyTheStoredSecretsWereEncryptedWith() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("rotationmissing");
        JdbcClient jdbc = jdbc(database);
        byte[] k1 = randomKey();
        byte[] k2 = randomKey();
        UUID credentialId;
        try (AtriumProcess first = AtriumProcess.builder().database(database)
                .env("ATRIUM_SECRETS_KEYS_K1", base64(k1)).start()) {
            first.awaitReady(TIMEOUT);
            String token = first.api().post("/api/v1/auth/signup", Map.of("email",
                            TestUsers.uniqueEmail("rotation"), "name", "Operator", "password", TestUsers.PASSWORD),
                    null).json().path("token").asString();
            Api.Response created = first.api().post("/api/v1/settings/instance/credentials", Map.of(
                    "connection", "openai", "kind", "api_key", "name", "Key", "secret", "sk-0123456789"), token);
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            credentialId = UUID.fromString(created.json().path("id").asString());
        }
        SecretCipher.Sealed before = sealed(jdbc, credentialId);

        try (AtriumProcess rotate = AtriumProcess.builder().database(database)
                .env("ATRIUM_SECRETS_KEYS_K2", base64(k2))
                .args("rotate-secrets").start()) {
            assertThat(rotate.awaitExit(TIMEOUT)).as("2: could not run\n" + rotate.output()).isEqualTo(2);
            assertThat(rotate.output()).contains("'k1'").contains("atrium rotate-secrets: could not run");
        }
        SecretCipher.Sealed after = sealed(jdbc, credentialId);
        assertThat(after.keyId()).as("a failed rotation leaves the row as it was").isEqualTo("k1");
        assertThat(after.ciphertext()).isEqualTo(before.ciphertext());
    }

    @Test
    void clusterModeRefusesToStartWithoutASecretsKeyNamingTheVariable() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("nokey");
        try (AtriumProcess cluster = AtriumProcess.builder().database(database)
                .env("SPRING_DATA_REDIS_URL", TestInfrastructure.redisUrl()).start()) {
            assertThat(cluster.awaitExit(TIMEOUT)).as("it must exit, not serve:\n" + cluster.output()).isNotZero();
            assertThat(cluster.output()).contains("ATRIUM_SECRETS_KEYS", "ATRIUM_SECRETS_ACTIVE_KEY")
                    .doesNotContain("Jetty started");
        }
        try (AtriumProcess withKey = AtriumProcess.builder().database(database)
                .env("SPRING_DATA_REDIS_URL", TestInfrastructure.redisUrl())
                .env("ATRIUM_SECRETS_KEYS_K1", base64(randomKey())).start()) {
            withKey.awaitReady(TIMEOUT);
            assertThat(withKey.output()).as("the same configuration with a key serves")
                    .doesNotContain("No secrets key is configured");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JdbcClient jdbc(TestInfrastructure.Database database) {
        return JdbcClient.create(new DriverManagerDataSource(database.jdbcUrl(), database.user(),
                database.password()));
    }

    private static SecretCipher.Sealed sealed(JdbcClient jdbc, UUID id) {
        return jdbc.sql("select key_id, nonce, ciphertext from credentials where id = :id").param("id", id)
                .query((rs, row) -> new SecretCipher.Sealed(rs.getString("key_id"), rs.getBytes("nonce"),
                        rs.getBytes("ciphertext"))).single();
    }

    private static String open(Map<String, byte[]> keys, String active, SecretCipher.Sealed sealed, UUID id) {
        return new SecretCipher(keys, active).open(sealed, id.toString());
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static String base64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
