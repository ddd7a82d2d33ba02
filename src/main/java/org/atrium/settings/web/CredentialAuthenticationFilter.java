package org.atrium.settings.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.Caller;
import org.atrium.accounts.SessionCookies;
import org.atrium.platform.Problems;
import org.atrium.platform.RequestIds;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveStateResolver;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Authenticates each request through the {@link EffectiveStateResolver}. Credentials, in the order they are read:
 * {@code x-api-key: <key>} (API keys only), {@code Authorization: Bearer <key or session token>}, then the
 * {@code atrium_session} cookie. An API key is checked the same way whichever header carries it.
 *
 * <p>A credential sent in a header that does not authenticate is answered with 401 at once, so that scripts learn
 * about a revoked or mistyped key instead of being treated as anonymous. A stale cookie is ignored (and cleared),
 * so that a browser can still reach the sign-in endpoint. A state-changing request that authenticates with the
 * cookie but that a browser says came from another site is refused with 403 {@code cross_site_request}
 * ({@link CrossSiteRequests}). The principal is the {@link Caller}; the full
 * {@link EffectiveState} is the authentication's details.
 */
final class CredentialAuthenticationFilter extends OncePerRequestFilter {

    private static final String API_KEY_HEADER = "x-api-key";
    private static final String BEARER = "Bearer ";

    private final EffectiveStateResolver resolver;
    private final CrossSiteRequests crossSite;

    CredentialAuthenticationFilter(EffectiveStateResolver resolver, CrossSiteRequests crossSite) {
        this.resolver = resolver;
        this.crossSite = crossSite;
    }

    /** The metrics token is not an account credential; {@link MetricsTokenFilter} checks it. */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return MetricsTokenFilter.PATH.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String apiKeyHeader = request.getHeader(API_KEY_HEADER);
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        RequestCredential credential;
        boolean fromHeader = true;
        if (apiKeyHeader != null) {
            credential = new RequestCredential(apiKeyHeader.strip(), true);
        } else if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            credential = new RequestCredential(authorization.substring(BEARER.length()).strip(), false);
        } else {
            fromHeader = false;
            credential = SessionCookies.token(request).map(token -> new RequestCredential(token, false)).orElse(null);
        }
        Optional<EffectiveState> state = credential == null ? Optional.empty()
                : resolver.resolve(credential.secret(), credential.apiKeyOnly());
        if (state.isEmpty() && credential != null) {
            if (fromHeader) {
                reject(response);
                return;
            }
            response.addHeader(HttpHeaders.SET_COOKIE, SessionCookies.expired(request.isSecure()).toString());
        }
        if (state.isPresent() && !fromHeader && crossSite.isCrossSite(request)) {
            Problems.write(response, HttpStatus.FORBIDDEN, "cross_site_request",
                    "This request came from another site with your session cookie, so it was refused.");
            return;
        }
        if (state.isPresent()) {
            establish(state.get());
            credential.attachTo(request);
        }
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private static void establish(EffectiveState state) {
        Caller caller = state.caller();
        var authority = new SimpleGrantedAuthority("ROLE_" + caller.role().name());
        var authentication = UsernamePasswordAuthenticationToken.authenticated(caller, null, List.of(authority));
        authentication.setDetails(state);
        SecurityContextHolder.getContext().setAuthentication(authentication);
        MDC.put(RequestIds.USER_MDC_KEY, caller.userId().toString());
    }

    private static void reject(HttpServletResponse response) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        Problems.write(response, HttpStatus.UNAUTHORIZED, "invalid_credentials",
                "The API key or session token is unknown, revoked or expired.");
    }
}
