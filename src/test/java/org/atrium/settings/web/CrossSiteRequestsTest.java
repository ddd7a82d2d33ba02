package org.atrium.settings.web;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.filter.ForwardedHeaderFilter;

import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** What counts as Atrium's own origin, with and without {@code atrium.public-url}, and behind a proxy. */
class CrossSiteRequestsTest {

    @Test
    void withAPublicUrlOnlyItsOriginPassesWhateverTheHostHeaderSays() {
        CrossSiteRequests check = new CrossSiteRequests(URI.create("https://atrium.example.org/"));

        assertThat(check.isCrossSite(post("internal:8080", "https://atrium.example.org"))).isFalse();
        assertThat(check.isCrossSite(post("internal:8080", "https://ATRIUM.example.org:443"))).isTrue();
        assertThat(check.isCrossSite(post("atrium.example.org", "http://atrium.example.org"))).isTrue();
        assertThat(check.isCrossSite(post("atrium.example.org", "https://evil.example.org"))).isTrue();
    }

    @Test
    void withoutAPublicUrlTheOriginMustNameTheHostHeader() {
        CrossSiteRequests check = new CrossSiteRequests(null);

        assertThat(check.isCrossSite(post("atrium.example.org", "https://atrium.example.org"))).isFalse();
        assertThat(check.isCrossSite(post("atrium.example.org:8443", "https://atrium.example.org:8443"))).isFalse();
        assertThat(check.isCrossSite(post("atrium.example.org", "https://chat.atrium.example.org"))).isTrue();
        assertThat(check.isCrossSite(post("atrium.example.org", "null"))).isTrue();
    }

    @Test
    void behindAProxyThatRewritesHostOnPlainHttpTheForwardedHostIsAtriums() throws Exception {
        CrossSiteRequests check = new CrossSiteRequests(null);

        assertThat(check.isCrossSite(proxied("http://atrium.example.org"))).as("same origin").isFalse();
        assertThat(check.isCrossSite(proxied("http://atrium-backend:8080"))).as("the rewritten Host").isTrue();
        assertThat(check.isCrossSite(proxied("http://evil.example.org"))).isTrue();
    }

    @Test
    void secFetchSiteWinsOverOriginAndSafeMethodsAreNeverChecked() {
        CrossSiteRequests check = new CrossSiteRequests(null);
        MockHttpServletRequest sameOrigin = post("atrium.example.org", "https://evil.example.org");
        sameOrigin.addHeader("Sec-Fetch-Site", "same-origin");
        MockHttpServletRequest sameSite = post("atrium.example.org", "https://atrium.example.org");
        sameSite.addHeader("Sec-Fetch-Site", "same-site");
        MockHttpServletRequest read = post("atrium.example.org", "https://evil.example.org");
        read.setMethod("GET");

        assertThat(check.isCrossSite(sameOrigin)).isFalse();
        assertThat(check.isCrossSite(sameSite)).isTrue();
        assertThat(check.isCrossSite(read)).isFalse();
        assertThat(check.isCrossSite(post("atrium.example.org", null))).as("no browser statement").isFalse();
    }

    /**
     * A cookie POST as a proxy forwards it (Host rewritten, X-Forwarded-Host kept), seen through the forwarded
     * headers the way {@code server.forward-headers-strategy=framework} shows it to the application.
     */
    private static HttpServletRequest proxied(String origin) throws Exception {
        MockHttpServletRequest forwarded = post("atrium-backend:8080", origin);
        forwarded.addHeader("X-Forwarded-Host", "atrium.example.org");
        forwarded.addHeader("X-Forwarded-Proto", "http");
        AtomicReference<HttpServletRequest> seen = new AtomicReference<>();
        new ForwardedHeaderFilter().doFilter(forwarded, new MockHttpServletResponse(),
                (request, response) -> seen.set((HttpServletRequest) request));
        return seen.get();
    }

    private static MockHttpServletRequest post(String host, String origin) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/api-keys");
        request.addHeader("Host", host);
        if (origin != null) {
            request.addHeader("Origin", origin);
        }
        return request;
    }
}
