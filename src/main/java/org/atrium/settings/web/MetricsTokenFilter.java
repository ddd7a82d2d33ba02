package org.atrium.settings.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.platform.Problems;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards {@code /actuator/prometheus}: served only to {@code Authorization: Bearer <atrium.metrics.token>}, and to
 * nobody while no token is configured. Metrics name models, connections and traffic, which are nobody else's
 * business. The token is not an account credential: {@link CredentialAuthenticationFilter} leaves this path alone.
 */
final class MetricsTokenFilter extends OncePerRequestFilter {

    /** The scrape endpoint. */
    static final RequestMatcher PATH = new OrRequestMatcher(
            PathPatternRequestMatcher.withDefaults().matcher("/actuator/prometheus"),
            PathPatternRequestMatcher.withDefaults().matcher("/actuator/prometheus/**"));
    private static final String BEARER = "Bearer ";

    private final byte[] token;

    /** @param token the configured token; blank means the endpoint is served to nobody */
    MetricsTokenFilter(String token) {
        this.token = token.strip().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !PATH.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (token.length > 0 && presented(request)) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"metrics\"");
        Problems.write(response, HttpStatus.UNAUTHORIZED, "metrics_token_required",
                "Metrics are served only with 'Authorization: Bearer <atrium.metrics.token>'.");
    }

    private boolean presented(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] sent = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(sent, token);
    }
}
