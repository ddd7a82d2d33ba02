package org.atrium.platform.internal;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Honours {@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code -Port} from trusted proxies only, and takes
 * the client's address from the right of {@code X-Forwarded-For}: the last address that is not a trusted proxy, the
 * one the outermost trusted proxy saw. Jetty's own {@link ForwardedRequestCustomizer} believes every peer and the
 * leftmost address, which the client writes itself; a client could then pick its own address and slip past the
 * sign-in throttle. The RFC 7239 {@code Forwarded} header is not honoured (proxies rarely strip a client's).
 */
final class TrustedForwardedHeaders implements HttpConfiguration.Customizer {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Hex digits and colons, with at least one colon (so never a host name), an IPv4 tail allowed. */
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F]*:[0-9a-fA-F:.]*");

    private final List<IpAddressMatcher> trusted;
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

    TrustedForwardedHeaders(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(IpAddressMatcher::new).toList();
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        HttpFields headers = request.getHeaders();
        boolean forwardedHeaders = headers.contains(HttpHeader.X_FORWARDED_FOR)
                || headers.contains(HttpHeader.X_FORWARDED_PROTO) || headers.contains(HttpHeader.X_FORWARDED_HOST)
                || headers.contains(HttpHeader.X_FORWARDED_PORT) || headers.contains(HttpHeader.FORWARDED)
                || headers.contains(HttpHeader.X_FORWARDED_SERVER);
        if (!forwardedHeaders || !isTrusted(Request.getRemoteAddr(request))) {
            return request;
        }
        HttpFields.Mutable believed = HttpFields.build(headers);
        believed.remove(HttpHeader.FORWARDED);
        believed.remove(HttpHeader.X_FORWARDED_SERVER);
        List<String> chain = new ArrayList<>();
        for (String value : headers.getValuesList(HttpHeader.X_FORWARDED_FOR)) {
            Arrays.stream(value.split(",")).map(String::trim).filter(hop -> !hop.isEmpty()).forEach(chain::add);
        }
        believed.remove(HttpHeader.X_FORWARDED_FOR);
        String client = client(chain);
        if (client != null) {
            believed.put(HttpHeader.X_FORWARDED_FOR, client);
        }
        HttpFields rewritten = believed.asImmutable();
        return forwarded.customize(new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return rewritten;
            }
        }, responseHeaders);
    }

    /**
     * @param chain the addresses of {@code X-Forwarded-For}, leftmost first
     * @return the last that is not a trusted proxy (the leftmost when all are), or {@code null} when there is none
     */
    String client(List<String> chain) {
        for (int hop = chain.size() - 1; hop >= 0; hop--) {
            if (!isTrusted(chain.get(hop))) {
                return chain.get(hop);
            }
        }
        return chain.isEmpty() ? null : chain.getFirst();
    }

    /** Whether an address is a trusted proxy's; a name, never looked up, is not. */
    boolean isTrusted(String address) {
        if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
            return false;
        }
        try {
            return trusted.stream().anyMatch(range -> range.matches(address));
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
    }
}
