package org.atrium.platform.internal;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Honours {@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code -Port} from trusted proxies only, as
 * Tomcat's remote IP valve did. The client's address is taken from the right of {@code X-Forwarded-For}: the last
 * address that is not a trusted proxy's, the one the outermost trusted proxy saw; the scheme, host and port are the
 * rightmost values, the nearest proxy's. Jetty's own {@link ForwardedRequestCustomizer} believes every peer and the
 * leftmost values, which the client writes itself: a client could pick its own address and slip past the sign-in
 * throttle, or claim HTTPS. Every other forwarding header Jetty understands ({@code Forwarded},
 * {@code X-Forwarded-Server}, {@code X-Proxied-Https}, {@code Proxy-ssl-id}, {@code Proxy-auth-cert}) is dropped, since
 * proxies rarely strip a client's. Addresses are compared as literals, never looked up.
 */
final class TrustedForwardedHeaders implements HttpConfiguration.Customizer {

    private final List<AddressRange> trusted;
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();
    /** Headers of Jetty's customizer believed in their rightmost value. */
    private final List<String> rightmost = List.of(forwarded.getForwardedProtoHeader(),
            forwarded.getForwardedHostHeader(), forwarded.getForwardedPortHeader());
    /** Headers of Jetty's customizer never believed. */
    private final List<String> ignored = List.of(forwarded.getForwardedHeader(), forwarded.getForwardedServerHeader(),
            forwarded.getForwardedHttpsHeader(), forwarded.getForwardedSslSessionIdHeader(),
            forwarded.getForwardedCipherSuiteHeader());

    TrustedForwardedHeaders(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(AddressRange::parse).toList();
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        HttpFields headers = request.getHeaders();
        String forwardedFor = forwarded.getForwardedForHeader();
        if (Stream.concat(Stream.of(forwardedFor), Stream.concat(rightmost.stream(), ignored.stream()))
                .noneMatch(headers::contains)) {
            return request;
        }
        HttpFields.Mutable believed = HttpFields.build(headers);
        ignored.forEach(believed::remove);
        if (!isTrusted(peer(request))) {
            rightmost.forEach(believed::remove);
            believed.remove(forwardedFor);
            return rewritten(request, believed.asImmutable());
        }
        for (String name : rightmost) {
            List<String> values = values(headers, name);
            believed.remove(name);
            if (!values.isEmpty()) {
                believed.put(name, values.getLast());
            }
        }
        String client = client(values(headers, forwardedFor));
        believed.remove(forwardedFor);
        if (client != null) {
            believed.put(forwardedFor, client);
        }
        return forwarded.customize(rewritten(request, believed.asImmutable()), responseHeaders);
    }

    /**
     * @param chain the addresses of {@code X-Forwarded-For}, leftmost first
     * @return the last that is not a trusted proxy's (the leftmost when all are), or {@code null} when there is none
     */
    String client(List<String> chain) {
        for (int hop = chain.size() - 1; hop >= 0; hop--) {
            if (!isTrusted(literal(chain.get(hop)))) {
                return chain.get(hop);
            }
        }
        return chain.isEmpty() ? null : chain.getFirst();
    }

    /** Whether an address is a trusted proxy's; {@code null} (not an address) is not. */
    boolean isTrusted(InetAddress address) {
        return address != null && trusted.stream().anyMatch(range -> range.contains(address));
    }

    /** An address written as a literal (brackets and a zone allowed), or {@code null}: a name is never looked up. */
    static InetAddress literal(String written) {
        String bare = written.strip();
        if (bare.startsWith("[") && bare.endsWith("]")) {
            bare = bare.substring(1, bare.length() - 1);
        }
        int zone = bare.indexOf('%');
        if (zone >= 0) {
            bare = bare.substring(0, zone);
        }
        try {
            return InetAddress.ofLiteral(bare);
        } catch (IllegalArgumentException notALiteral) {
            return null;
        }
    }

    private static InetAddress peer(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress socket ? socket.getAddress() : null;
    }

    private static List<String> values(HttpFields headers, String name) {
        List<String> values = new ArrayList<>();
        for (String value : headers.getValuesList(name)) {
            Arrays.stream(value.split(",")).map(String::strip).filter(v -> !v.isEmpty()).forEach(values::add);
        }
        return values;
    }

    private static Request rewritten(Request request, HttpFields headers) {
        return new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return headers;
            }
        };
    }

    /** An address range in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}) or a single address. */
    record AddressRange(byte[] network, int prefix) {

        static AddressRange parse(String cidr) {
            String[] parts = cidr.strip().split("/", 2);
            InetAddress address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("atrium.http.trusted-proxies: '" + cidr + "' is not an address or"
                        + " a CIDR range");
            }
            byte[] bytes = address.getAddress();
            int prefix = parts.length == 1 ? bytes.length * 8 : Integer.parseInt(parts[1].strip());
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("atrium.http.trusted-proxies: '" + cidr + "' has a prefix out of"
                        + " range");
            }
            return new AddressRange(bytes, prefix);
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return rest == 0 || (bytes[whole] & mask) == (network[whole] & mask);
        }
    }
}
