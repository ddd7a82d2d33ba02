package org.atrium.accounts.web;

import org.springframework.http.ResponseCookie;

import java.time.Duration;
import java.time.Instant;

/** The {@code atrium_session} cookie: HttpOnly, SameSite=Lax, path {@code /}. */
final class SessionCookies {

    private SessionCookies() {
    }

    static ResponseCookie of(String token, Instant expiresAt, boolean secure) {
        return ResponseCookie.from(CredentialAuthenticationFilter.SESSION_COOKIE, token)
                .httpOnly(true).secure(secure).sameSite("Lax").path("/")
                .maxAge(Duration.between(Instant.now(), expiresAt))
                .build();
    }

    static ResponseCookie expired(boolean secure) {
        return ResponseCookie.from(CredentialAuthenticationFilter.SESSION_COOKIE, "")
                .httpOnly(true).secure(secure).sameSite("Lax").path("/").maxAge(0)
                .build();
    }
}
