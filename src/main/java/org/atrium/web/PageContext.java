package org.atrium.web;

import org.jspecify.annotations.Nullable;
import org.springframework.security.web.csrf.CsrfToken;

/**
 * What every page's layout needs: the CSRF token for its forms and scripts, and who is signed in.
 *
 * @param csrfParameter the form field that carries the token
 * @param csrfHeader    the header that carries it in scripted requests
 * @param csrfToken     the token (masked anew for every page)
 * @param userName      the signed-in account's display name, or {@code null} on the public pages
 */
public record PageContext(String csrfParameter, String csrfHeader, String csrfToken, @Nullable String userName) {

    static PageContext of(CsrfToken token, @Nullable String userName) {
        return new PageContext(token.getParameterName(), token.getHeaderName(), token.getToken(), userName);
    }
}
