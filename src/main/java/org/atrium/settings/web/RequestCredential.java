package org.atrium.settings.web;

import jakarta.servlet.http.HttpServletRequest;

import java.util.Optional;

/**
 * The credential a request authenticated with, kept on the request (never logged) so that long-lived responses can
 * re-check it while they run.
 *
 * @param secret     the session token or API key
 * @param apiKeyOnly whether it came in {@code x-api-key}
 */
record RequestCredential(String secret, boolean apiKeyOnly) {

    private static final String ATTRIBUTE = RequestCredential.class.getName();

    void attachTo(HttpServletRequest request) {
        request.setAttribute(ATTRIBUTE, this);
    }

    static Optional<RequestCredential> of(HttpServletRequest request) {
        return Optional.ofNullable((RequestCredential) request.getAttribute(ATTRIBUTE));
    }

    @Override
    public String toString() {
        return "RequestCredential[secret=(hidden), apiKeyOnly=" + apiKeyOnly + "]";
    }
}
