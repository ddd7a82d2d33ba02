package org.atrium.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Generates bearer secrets and the digests under which they are stored. Tokens have 256 bits of entropy, so a
 * plain SHA-256 digest is enough to make a stolen database useless for signing in (no salt or slow hash needed).
 */
final class Secrets {

    static final String SESSION_PREFIX = "ats_";
    static final String API_KEY_PREFIX = "atk_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    static String newToken(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", impossible);
        }
    }
}
