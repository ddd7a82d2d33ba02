package org.atrium.providers;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything needed to call one provider connection except the credential: where it is and what it speaks, the
 * extra headers an admin configured for it (a gateway's routing or tenant header) and its timeouts.
 *
 * @param connection        the connection (not {@link ProviderConnection.Type#LOCAL}, which has no chat)
 * @param headers           extra request headers, at most {@value #MAX_HEADERS}; names are HTTP tokens of at most
 *                          100 characters, values printable ASCII of at most 2,000; headers the HTTP client owns
 *                          ({@code Host}, {@code Content-Length}, ...) and the credential headers Atrium sets
 *                          itself ({@code Authorization}, {@code x-api-key}, {@code x-goog-api-key}) are refused
 * @param timeouts          the call's timeouts
 * @param internalAddresses whether the calls may connect to addresses that are not public
 *                          ({@link InternalAddresses}): true where an operator allowed them for whoever set the URL
 *                          ({@code atrium.connections.allow-private-addresses}); otherwise every address the client
 *                          is about to connect to is checked, so a name re-pointed after its URL was accepted is
 *                          refused too
 */
public record ProviderEndpoint(ProviderConnection connection, Map<String, String> headers, CallTimeouts timeouts,
                               boolean internalAddresses) {

    /** Most extra headers an endpoint may carry. */
    public static final int MAX_HEADERS = 20;
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]{0,2000}");
    private static final Set<String> RESERVED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "te", "trailer", "content-type", "accept", "authorization", "x-api-key",
            "x-goog-api-key", "anthropic-version");

    /** Checks the headers and copies them (sorted by name). */
    public ProviderEndpoint {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timeouts, "timeouts");
        if (connection.type() == ProviderConnection.Type.LOCAL) {
            throw new IllegalArgumentException("The local connection has no chat or model listing");
        }
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException("At most " + MAX_HEADERS + " extra headers per connection");
        }
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, value) -> {
            if (!TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a valid header name");
            }
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("Header '" + name + "' is set by Atrium and cannot be configured");
            }
            if (value == null || !VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("The value of header '" + name
                        + "' must be printable ASCII of at most 2,000 characters");
            }
            copy.put(name, value);
        });
        headers = java.util.Collections.unmodifiableMap(copy);
    }

    /** @return the connection's name, for messages, logs and metrics */
    public String name() {
        return connection.name();
    }
}
