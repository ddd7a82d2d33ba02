package org.atrium.platform.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.atrium.platform.internal.TrustedForwardedHeaders.literal;

/** Which address of {@code X-Forwarded-For} is the client's, and which peers are believed. */
class TrustedForwardedHeadersTest {

    private final TrustedForwardedHeaders defaults = new TrustedForwardedHeaders(List.of("127.0.0.0/8", "::1/128",
            "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "fe80::/10",
            "fc00::/7"));

    @Test
    void theClientIsTheLastAddressThatIsNotATrustedProxy() {
        assertThat(defaults.client(List.of("198.51.100.7"))).isEqualTo("198.51.100.7");
        assertThat(defaults.client(List.of("203.0.113.1", "198.51.100.7", "10.1.2.3", "192.168.0.9")))
                .as("what the client wrote before its proxy's address is not believed").isEqualTo("198.51.100.7");
        assertThat(defaults.client(List.of("2001:db8::5", "[fd00::1]"))).isEqualTo("2001:db8::5");
        assertThat(defaults.client(List.of("made.up.example", "10.0.0.1"))).as("a name is not a proxy")
                .isEqualTo("made.up.example");
        assertThat(defaults.client(List.of("10.0.0.1", "127.0.0.1"))).as("all proxies: the leftmost")
                .isEqualTo("10.0.0.1");
        assertThat(defaults.client(List.of())).isNull();
    }

    @Test
    void onlyAddressesInTheRangesAreTrusted() {
        assertThat(defaults.isTrusted(literal("127.0.0.1"))).isTrue();
        assertThat(defaults.isTrusted(literal("172.31.255.1"))).isTrue();
        assertThat(defaults.isTrusted(literal("100.127.0.1"))).isTrue();
        assertThat(defaults.isTrusted(literal("0:0:0:0:0:0:0:1"))).isTrue();
        assertThat(defaults.isTrusted(literal("[::1]"))).as("as Jetty writes a peer's IPv6 address").isTrue();
        assertThat(defaults.isTrusted(literal("fe80::1%eth0"))).as("with a zone").isTrue();
        assertThat(defaults.isTrusted(literal("::ffff:10.0.0.1"))).as("IPv4-mapped").isTrue();
        assertThat(defaults.isTrusted(literal("172.32.0.1"))).isFalse();
        assertThat(defaults.isTrusted(literal("100.128.0.1"))).isFalse();
        assertThat(defaults.isTrusted(literal("8.8.8.8"))).isFalse();
        assertThat(defaults.isTrusted(literal("2001:db8::1"))).isFalse();
        assertThat(new TrustedForwardedHeaders(List.of("203.0.113.0/24", "2001:db8::7"))
                .isTrusted(literal("127.0.0.1"))).as("loopback is trusted only when configured").isFalse();
        assertThat(new TrustedForwardedHeaders(List.of("2001:db8::7")).isTrusted(literal("2001:db8::7"))).isTrue();
    }

    @Test
    void namesAndMalformedAddressesAreNeverLookedUpAndNeverTrusted() {
        assertThat(literal("localhost")).isNull();
        assertThat(literal("999.1.1.1")).isNull();
        assertThat(literal("cafe")).isNull();
        assertThat(defaults.isTrusted(null)).isFalse();
        assertThatThrownBy(() -> new TrustedForwardedHeaders(List.of("proxy.internal/8")))
                .hasMessageContaining("atrium.http.trusted-proxies");
        assertThatThrownBy(() -> new TrustedForwardedHeaders(List.of("10.0.0.0/33")))
                .hasMessageContaining("prefix out of range");
    }
}
