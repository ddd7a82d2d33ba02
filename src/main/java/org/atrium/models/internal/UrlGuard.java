package org.atrium.models.internal;

import org.atrium.platform.AtriumException;
import org.atrium.providers.InternalAddresses;

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
 * later is refused then too; the provider client checks the addresses it connects to itself
 * ({@link org.atrium.providers.ProviderEndpoint#internalAddresses()}), so a name re-pointed between this check and
 * the call is refused as well.
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
            Optional<String> kind = InternalAddresses.kind(address);
            if (kind.isPresent()) {
                return Optional.of("its host '" + url.getHost() + "' is " + (address.getHostAddress().equals(host)
                        ? "" : "resolves to ") + "a " + kind.get() + " address, which connections may not reach;"
                        + " an operator can allow it (atrium.connections.allow-private-addresses)");
            }
        }
        return Optional.empty();
    }

    private static AtriumException invalid(String message) {
        return AtriumException.invalidField("baseUrl", message);
    }
}
