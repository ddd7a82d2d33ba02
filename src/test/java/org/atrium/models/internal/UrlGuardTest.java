package org.atrium.models.internal;

import org.atrium.platform.AtriumException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UrlGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:8080/v1", "http://127.8.9.10", "http://localhost:11434", "http://[::1]/v1",
            "http://169.254.169.254/latest/meta-data", "http://10.1.2.3/v1", "http://172.16.0.1", "http://192.168.1.1",
            "http://[::ffff:127.0.0.1]/v1", "http://[::ffff:7f00:1]", "http://[::ffff:a9fe:a9fe]",
            "http://[::127.0.0.1]", "http://[64:ff9b::a00:1]", "http://[fd00:ec2::254]", "http://[fe80::1]",
            "http://0.0.0.0:8080", "http://[::]", "http://224.0.0.1", "http://100.100.100.200", "http://2130706433",
            "http://255.255.255.255"})
    void internalAddressesAreRefusedUnlessAllowed(String url) {
        URI parsed = UrlGuard.parse(url);
        assertThat(UrlGuard.addressProblem(parsed, false)).as(url).isPresent();
        assertThat(UrlGuard.addressProblem(parsed, true)).as(url).isEmpty();
    }

    @Test
    void aNameResolvingToLoopbackIsRefusedWithWhatItResolvesTo() {
        assertThat(UrlGuard.addressProblem(UrlGuard.parse("http://localhost:1/v1"), false))
                .hasValueSatisfying(problem -> assertThat(problem).contains("resolves to a loopback address"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://203.0.113.10/v1", "http://[2001:db8::1]:8080", "https://8.8.8.8"})
    void publicAddressesAreAccepted(String url) {
        assertThat(UrlGuard.addressProblem(UrlGuard.parse(url), false)).as(url).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://no-such-host.invalid/v1", "http://0x7f000001"})
    void anUnresolvableHostIsRefusedEvenWhenInternalAddressesAreAllowed(String url) {
        assertThat(UrlGuard.addressProblem(UrlGuard.parse(url), true))
                .hasValueSatisfying(problem -> assertThat(problem).contains("does not resolve"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.org/v1", "file:///etc/passwd", "https://user:pass@example.org/v1",
            "https://example.org/v1?key=1", "https://example.org/v1#x", "https:///v1", "not a url", "example.org",
            "http://exa mple.org"})
    void malformedOrSmugglingUrlsAreRefusedOnBaseUrl(String url) {
        assertThatThrownBy(() -> UrlGuard.parse(url)).isInstanceOfSatisfying(AtriumException.class, refused -> {
            assertThat(refused.code()).isEqualTo("validation_failed");
            assertThat(refused.field()).isEqualTo("baseUrl");
        });
    }

    @Test
    void overlongUrlsAreRefusedAndTrailingSlashesDropped() {
        assertThatThrownBy(() -> UrlGuard.parse("https://example.org/" + "a".repeat(UrlGuard.MAX_LENGTH)))
                .isInstanceOf(AtriumException.class);
        assertThat(UrlGuard.parse("https://example.org/v1/").toString()).isEqualTo("https://example.org/v1");
    }
}
