package org.atrium.models.internal;

import org.atrium.platform.AtriumException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks a connection's base URL: an absolute http or https URL with a host and nothing a server-side request could be
 * smuggled through (user info, query, fragment), whose host, resolved now, is a public address unless private ones
 * are allowed. Resolution happens again before every model-list fetch, so a name re-pointed at an internal address
 * later is refused then too (a rebinding between that check and the HTTP client's own lookup remains possible; the
 * network policy of the deployment is the last line).
 */
public final class UrlGuard {

    /** Longest base URL. */
    public static final int MAX_LENGTH = 2_000;

    private UrlGuard() {
    }

    /**
     * Parses and checks the URL's form.
     *
     * @param text the URL as sent
     * @return the URL, without a trailing slash
     * @throws AtriumException {@code validation_failed} on {@code baseUrl}
     */
    public static URI parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw invalid("must be at most " + MAX_LENGTH + " characters");
        }
        URI url;
        try {
            url = new URI(text.strip());
        } catch (URISyntaxException malformed) {
            throw invalid("is not a valid URL");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid("must be an http or https URL");
        }
        if (url.getRawUserInfo() != null) {
            throw invalid("must not contain a user name or password; put credentials in a credential");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw invalid("must name a host");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw invalid("must not have a query or a fragment");
        }
        String normalized = url.toString();
        while (normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return URI.create(normalized);
    }

    /**
     * Resolves the URL's host and refuses internal addresses.
     *
     * @param url            a URL that passed {@link #parse}
     * @param allowPrivate   whether internal addresses are allowed
     * @return empty when the URL may be used, else why not (a sentence for people)
     */
    public static Optional<String> addressProblem(URI url, boolean allowPrivate) {
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException unknown) {
            return Optional.of("its host '" + url.getHost() + "' does not resolve");
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            Optional<String> kind = internalKind(address);
            if (kind.isPresent()) {
                return Optional.of("its host '" + url.getHost() + "' is " + (address.getHostAddress().equals(host)
                        ? "" : "resolves to ") + "a " + kind.get() + " address, which connections may not reach;"
                        + " an operator can allow it (atrium.connections.allow-private-addresses)");
            }
        }
        return Optional.empty();
    }

    /** What kind of non-public address this is, if it is one. */
    static Optional<String> internalKind(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            Optional<InetAddress> embedded = embeddedIpv4(b);
            if (embedded.isPresent()) {
                return internalKind(embedded.get());
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return Optional.of("unique-local");
            }
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local (cloud metadata)");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return Optional.of("unspecified");
            }
            if (first == 100 && second >= 64 && second < 128) {
                // Carrier-grade NAT space; also where some clouds put their metadata service (100.100.100.200).
                return Optional.of("shared (carrier-grade NAT, cloud metadata)");
            }
            if (first >= 240) {
                return Optional.of("reserved");
            }
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
                return Optional.of("reserved");
            }
        }
        return Optional.empty();
    }

    /**
     * The IPv4 address inside an IPv4-mapped ({@code ::ffff:a.b.c.d}; Java usually turns these into IPv4 itself),
     * IPv4-compatible ({@code ::a.b.c.d}) or NAT64 ({@code 64:ff9b::a.b.c.d}) IPv6 address.
     */
    private static Optional<InetAddress> embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        boolean mapped = zeroPrefix && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeroPrefix && b[10] == 0 && b[11] == 0
                && !((b[12] | b[13] | b[14]) == 0 && (b[15] == 0 || b[15] == 1));
        boolean nat64 = (b[0] & 0xff) == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        if (!mapped && !compatible && !nat64) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException impossible) {
            return Optional.empty();
        }
    }

    private static AtriumException invalid(String message) {
        return AtriumException.invalidField("baseUrl", message);
    }
}
