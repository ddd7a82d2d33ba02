package org.atrium.accounts;

import org.springframework.http.ResponseCookie;

import java.time.Duration;
import java.time.Instant;

/** The {@code atrium_session} cookie: HttpOnly, SameSite=Lax, path {@code /}. */
public final class SessionCookies {

    /** The cookie's name. */
    public static final String NAME = "atrium_session";

    private SessionCookies() {
    }

    /**
     * @param token     the session token
     * @param expiresAt when the session ends
     * @param secure    whether to mark it {@code Secure}
     * @return the cookie that carries the session
     */
    public static ResponseCookie of(String token, Instant expiresAt, boolean secure) {
        return ResponseCookie.from(NAME, token)
                .httpOnly(true).secure(secure).sameSite("Lax").path("/")
                .maxAge(Duration.between(Instant.now(), expiresAt))
                .build();
    }

    /**
     * @param secure whether to mark it {@code Secure}
     * @return the cookie that makes a browser forget the session
     */
    public static ResponseCookie expired(boolean secure) {
        return ResponseCookie.from(NAME, "")
                .httpOnly(true).secure(secure).sameSite("Lax").path("/").maxAge(0)
                .build();
    }
}
