package org.atrium.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.SessionCookies;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveStateResolver;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.List;

/**
 * Signs the interface's requests in with the {@code atrium_session} cookie, through the same resolver as the API, so
 * that a revoked session or a role change is seen on the next page. Pages take no API key or bearer token: a browser
 * only ever has the cookie. A stale cookie is ignored, so that the sign-in page still opens.
 */
final class SessionCookieFilter extends OncePerRequestFilter {

    private final EffectiveStateResolver resolver;

    SessionCookieFilter(EffectiveStateResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        SessionCookies.token(request).flatMap(token -> resolver.resolve(token, false))
                .ifPresent(SessionCookieFilter::establish);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private static void establish(EffectiveState state) {
        var authority = new SimpleGrantedAuthority("ROLE_" + state.caller().role().name());
        var authentication = UsernamePasswordAuthenticationToken.authenticated(state.caller(), null,
                List.of(authority));
        // The details are what controllers receive as their EffectiveState parameter.
        authentication.setDetails(state);
        SecurityContextHolder.getContext().setAuthentication(authentication);
    }
}
