package org.atrium.accounts;

import java.util.HexFormat;

/** The key under which a bearer secret is stored and cached: its SHA-256 digest. */
public final class TokenDigest {

    private TokenDigest() {
    }

    /**
     * @param token a session token or API key
     * @return its digest in lower-case hex
     */
    public static String hex(String token) {
        return HexFormat.of().formatHex(Secrets.digest(token));
    }
}
