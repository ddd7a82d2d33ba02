package org.atrium.models.internal;

import org.atrium.platform.SecretCipher;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SealedHeadersTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static byte[] key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    @Test
    void headersAreSealedBoundToTheirConnectionAndSurviveAKeyRotation() {
        byte[] k1 = key();
        byte[] k2 = key();
        UUID connection = UUID.randomUUID();
        SealedHeaders before = new SealedHeaders(new SecretCipher(Map.of("k1", k1), "k1"), JSON);
        SecretCipher.Sealed sealed = before.seal(connection, new TreeMap<>(Map.of("x-tenant", "tenant-secret")));
        assertThat(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("tenant-secret");
        assertThat(before.seal(connection, new TreeMap<>())).isNull();
        assertThat(before.open(connection, null)).isEmpty();
        assertThatThrownBy(() -> before.open(UUID.randomUUID(), sealed)).isInstanceOf(RuntimeException.class);

        SealedHeaders rotating = new SealedHeaders(new SecretCipher(Map.of("k1", k1, "k2", k2), "k2"), JSON);
        SecretCipher.Sealed resealed = rotating.reseal(connection, sealed);
        assertThat(resealed.keyId()).isEqualTo("k2");

        SealedHeaders after = new SealedHeaders(new SecretCipher(Map.of("k2", k2), "k2"), JSON);
        assertThat(after.open(connection, resealed)).containsExactly(Map.entry("x-tenant", "tenant-secret"));
    }
}
