package org.atrium.platform.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which address of {@code X-Forwarded-For} is the client's, and which peers are believed. */
class TrustedForwardedHeadersTest {

    private final TrustedForwardedHeaders defaults = new TrustedForwardedHeaders(
            new TrustedProxiesProperties(List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12",
                    "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "fe80::/10", "fc00::/7")).trustedProxies());

    @Test
    void theClientIsTheLastAddressThatIsNotATrustedProxy() {
        assertThat(defaults.client(List.of("198.51.100.7"))).isEqualTo("198.51.100.7");
        assertThat(defaults.client(List.of("203.0.113.1", "198.51.100.7", "10.1.2.3", "192.168.0.9")))
                .as("what the client wrote before its proxy's address is not believed").isEqualTo("198.51.100.7");
        assertThat(defaults.client(List.of("2001:db8::5", "fd00::1"))).isEqualTo("2001:db8::5");
        assertThat(defaults.client(List.of("10.0.0.1", "127.0.0.1"))).as("all proxies: the leftmost")
                .isEqualTo("10.0.0.1");
        assertThat(defaults.client(List.of())).isNull();
    }

    @Test
    void onlyAddressesInTheRangesAreTrustedAndNamesNeverAre() {
        assertThat(defaults.isTrusted("127.0.0.1")).isTrue();
        assertThat(defaults.isTrusted("172.31.255.1")).isTrue();
        assertThat(defaults.isTrusted("100.127.0.1")).isTrue();
        assertThat(defaults.isTrusted("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(defaults.isTrusted("172.32.0.1")).isFalse();
        assertThat(defaults.isTrusted("100.128.0.1")).isFalse();
        assertThat(defaults.isTrusted("8.8.8.8")).isFalse();
        assertThat(defaults.isTrusted("2001:db8::1")).isFalse();
        assertThat(defaults.isTrusted("localhost")).as("a name, not looked up").isFalse();
        assertThat(defaults.isTrusted("cafe")).isFalse();
        assertThat(defaults.isTrusted("999.1.1.1")).isFalse();
        assertThat(new TrustedForwardedHeaders(List.of("203.0.113.0/24")).isTrusted("127.0.0.1"))
                .as("loopback is trusted only when configured").isFalse();
    }
}
