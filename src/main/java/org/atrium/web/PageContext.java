package org.atrium.web;

import org.atrium.accounts.Caller;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.csrf.CsrfToken;

/**
 * What every page's layout needs: the CSRF token for its forms and scripts, and who is signed in.
 *
 * @param csrfParameter the form field that carries the token
 * @param csrfHeader    the header that carries it in scripted requests
 * @param csrfToken     the token (masked anew for every page)
 * @param userName      the signed-in account's display name, or {@code null} on the public pages
 * @param admin         whether the signed-in account is an instance admin (the top bar then offers the admin page),
 *                      as of this request
 */
public record PageContext(String csrfParameter, String csrfHeader, String csrfToken, @Nullable String userName,
                          boolean admin) {

    static PageContext of(CsrfToken token, @Nullable Caller caller) {
        return new PageContext(token.getParameterName(), token.getHeaderName(), token.getToken(),
                caller == null ? null : caller.name(), caller != null && caller.isAdmin());
    }
}
