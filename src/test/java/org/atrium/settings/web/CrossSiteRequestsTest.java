package org.atrium.settings.web;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/** What counts as Atrium's own origin, with and without {@code atrium.public-url}. */
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

    private static MockHttpServletRequest post(String host, String origin) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/api-keys");
        request.addHeader("Host", host);
        if (origin != null) {
            request.addHeader("Origin", origin);
        }
        return request;
    }
}
