package org.atrium.settings.web;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Tells whether a state-changing request authenticated by the session cookie was sent by another site. The cookie is
 * {@code SameSite=Lax}, which stops other sites but not sibling subdomains ({@code evil.example.org} is the same
 * site as {@code atrium.example.org}), so browsers' own statements are checked:
 * <ol>
 *   <li>{@code Sec-Fetch-Site}: only {@code same-origin} and {@code none} (the user's own navigation) pass;</li>
 *   <li>else {@code Origin}: it must be Atrium's origin, which is {@code atrium.public-url} when configured, else
 *       the host and port the request was addressed to ({@link HttpServletRequest#getServerName()} and
 *       {@link HttpServletRequest#getServerPort()}: the {@code Host} header, or, behind a proxy trusted by
 *       {@code server.forward-headers-strategy}, the host and port it forwarded, so that a proxy which rewrites
 *       {@code Host} works on plain HTTP too; scheme aside, so that a TLS-terminating proxy that keeps the Host
 *       header needs no configuration);</li>
 *   <li>else (no browser, or one too old to say) the request passes: only browsers carry a victim's cookie
 *       on someone else's behalf, and every current browser sends one of the two headers.</li>
 * </ol>
 * Requests with an API key or a bearer token are never checked: other sites cannot make a browser send those.
 */
final class CrossSiteRequests {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final Set<String> OWN_FETCH_SITES = Set.of("same-origin", "none");

    private final @Nullable URI publicUrl;

    /** @param publicUrl Atrium's public origin ({@code atrium.public-url}), or {@code null} to use the request's */
    CrossSiteRequests(@Nullable URI publicUrl) {
        this.publicUrl = publicUrl;
    }

    /**
     * @param request a request that authenticated with the session cookie
     * @return whether it changes state and a browser says it came from another origin
     */
    boolean isCrossSite(HttpServletRequest request) {
        if (SAFE_METHODS.contains(request.getMethod().toUpperCase(Locale.ROOT))) {
            return false;
        }
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null) {
            return !OWN_FETCH_SITES.contains(fetchSite.strip().toLowerCase(Locale.ROOT));
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null) {
            return false;
        }
        return !sameOrigin(origin.strip(), request);
    }

    private boolean sameOrigin(String origin, HttpServletRequest request) {
        URI sent;
        try {
            sent = URI.create(origin);
        } catch (IllegalArgumentException opaque) {
            return false;
        }
        if (sent.getScheme() == null || sent.getRawAuthority() == null) {
            return false;
        }
        if (publicUrl != null) {
            return sent.getScheme().equalsIgnoreCase(publicUrl.getScheme())
                    && sent.getRawAuthority().equalsIgnoreCase(authority(publicUrl));
        }
        String host = request.getServerName();
        if (host == null || host.isBlank()) {
            return false;
        }
        return sent.getRawAuthority().equalsIgnoreCase(authority(request.getScheme(), host, request.getServerPort()));
    }

    /** The authority as a browser writes it in {@code Origin}: without the scheme's default port. */
    private static String authority(URI url) {
        return authority(url.getScheme(), url.getHost(), url.getPort());
    }

    private static String authority(String scheme, String host, int port) {
        boolean defaultPort = port < 0 || ("https".equalsIgnoreCase(scheme) && port == 443)
                || ("http".equalsIgnoreCase(scheme) && port == 80);
        return defaultPort ? host : host + ":" + port;
    }
}
