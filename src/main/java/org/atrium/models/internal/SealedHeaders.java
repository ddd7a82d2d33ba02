package org.atrium.models.internal;

import org.atrium.platform.SecretCipher;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A connection's header values, sealed as one JSON object with {@link SecretCipher} (the connection's id as
 * associated data, so a ciphertext cannot be moved to another connection). Opened only to call the provider.
 */
@Component
public class SealedHeaders {

    private static final TypeReference<TreeMap<String, String>> HEADERS = new TypeReference<>() {
    };

    private final SecretCipher cipher;
    private final JsonMapper json;

    SealedHeaders(SecretCipher cipher, JsonMapper json) {
        this.cipher = cipher;
        this.json = json;
    }

    /**
     * @param connectionId the connection
     * @param headers      its headers
     * @return the sealed headers, or null when there are none
     */
    public SecretCipher.@Nullable Sealed seal(UUID connectionId, SortedMap<String, String> headers) {
        return headers.isEmpty() ? null : cipher.seal(json.writeValueAsString(headers), connectionId.toString());
    }

    /**
     * @param connectionId the connection
     * @param sealed       its sealed headers, or null
     * @return the headers, empty when there are none
     */
    public Map<String, String> open(UUID connectionId, SecretCipher.@Nullable Sealed sealed) {
        return sealed == null ? Map.of() : json.readValue(cipher.open(sealed, connectionId.toString()), HEADERS);
    }

    /** @return the key new seals use */
    public String activeKeyId() {
        return cipher.activeKeyId();
    }

    /**
     * @param connectionId the connection
     * @param sealed       its headers sealed with any known key
     * @return them sealed with the active key
     */
    public SecretCipher.Sealed reseal(UUID connectionId, SecretCipher.Sealed sealed) {
        return cipher.seal(cipher.open(sealed, connectionId.toString()), connectionId.toString());
    }
}
