package org.atrium.accounts;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseCookie;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

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

    /**
     * @param request a request
     * @return the session token its {@code atrium_session} cookie carries, if it has a non-blank one
     */
    public static Optional<String> token(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return Optional.empty();
        }
        for (Cookie cookie : cookies) {
            if (NAME.equals(cookie.getName()) && !cookie.getValue().isBlank()) {
                return Optional.of(cookie.getValue());
            }
        }
        return Optional.empty();
    }
}
