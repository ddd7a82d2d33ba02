package org.atrium.platform;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Encrypts secrets at rest with AES-256-GCM. Each ciphertext is stored with the id of the key that made it, so keys
 * can be rotated: add a new key, make it active, run {@code java -jar atrium.jar rotate-secrets}, then remove the old
 * key. The associated data binds a ciphertext to its row, so one row's secret cannot be pasted into another row.
 */
public final class SecretCipher {

    /** A sealed secret. */
    public record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {
    }

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SecretKeySpec> keys;
    private final String activeKeyId;

    /**
     * @param keys        key id to 32-byte key
     * @param activeKeyId the key new secrets are encrypted with
     */
    public SecretCipher(Map<String, byte[]> keys, String activeKeyId) {
        if (!keys.containsKey(activeKeyId)) {
            throw new IllegalArgumentException("the active secrets key '" + activeKeyId + "' is not configured");
        }
        keys.forEach((id, key) -> {
            if (key.length != 32) {
                throw new IllegalArgumentException("secrets key '" + id + "' must be 32 bytes (base64 of 32 random"
                        + " bytes), not " + key.length);
            }
        });
        this.keys = Map.copyOf(keys.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> new SecretKeySpec(e.getValue(), "AES"))));
        this.activeKeyId = activeKeyId;
    }

    /** @return the id of the key new secrets are encrypted with */
    public String activeKeyId() {
        return activeKeyId;
    }

    /**
     * Encrypts with the active key.
     *
     * @param plaintext      the secret
     * @param associatedData what the secret belongs to (for example the credential id); needed again to decrypt
     * @return the sealed secret
     */
    public Sealed seal(String plaintext, String associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new Sealed(activeKeyId, nonce, cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException failure) {
            throw new IllegalStateException("AES-GCM encryption failed", failure);
        }
    }

    /**
     * Decrypts.
     *
     * @param sealed         the sealed secret
     * @param associatedData the same value given to {@link #seal}
     * @return the secret
     * @throws IllegalStateException when the key is not configured or the ciphertext was tampered with
     */
    public String open(Sealed sealed, String associatedData) {
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("secrets key '" + sealed.keyId() + "' is not configured; it is needed"
                    + " to decrypt secrets encrypted with it (configure it again, then run rotate-secrets)"
                    + ("local".equals(sealed.keyId()) ? ". 'local' is the key a single node generated in"
                    + " <data-dir>/secrets/local.key: put that file back, or set ATRIUM_SECRETS_KEYS_LOCAL to its"
                    + " content" : ""));
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException failure) {
            throw new IllegalStateException("a secret could not be decrypted: wrong key or tampered data", failure);
        }
    }
}
