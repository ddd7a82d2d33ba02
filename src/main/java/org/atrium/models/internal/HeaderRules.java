package org.atrium.models.internal;

import org.atrium.platform.AtriumException;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What extra headers a connection may carry: the same rules the providers module applies to every endpoint it calls
 * (HTTP token names of at most 100 characters, printable ASCII values of at most 2,000, at most 20 headers, none the
 * HTTP client or the credential owns), checked here first so that a stored connection is always callable.
 */
public final class HeaderRules {

    /** Most extra headers per connection. */
    public static final int MAX_HEADERS = 20;
    /** Longest header name. */
    public static final int MAX_NAME = 100;
    /** Longest header value. */
    public static final int MAX_VALUE = 2_000;

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1," + MAX_NAME + "}");
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]{0," + MAX_VALUE + "}");
    private static final Set<String> RESERVED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "te", "trailer", "content-type", "accept", "authorization", "x-api-key",
            "x-goog-api-key", "anthropic-version", "proxy-authorization", "keep-alive", "cookie");

    private HeaderRules() {
    }

    /**
     * @param headers names to values (a null value means "keep the stored one" and is checked by the caller)
     * @throws AtriumException {@code validation_failed} on {@code headers}
     */
    public static void check(Map<String, ? extends @org.jspecify.annotations.Nullable String> headers) {
        if (headers.size() > MAX_HEADERS) {
            throw invalid("at most " + MAX_HEADERS + " headers");
        }
        Set<String> seen = new java.util.HashSet<>();
        headers.forEach((name, value) -> {
            if (!TOKEN.matcher(name).matches()) {
                throw invalid("'" + shortened(name) + "' is not a valid header name (an HTTP token of at most "
                        + MAX_NAME + " characters)");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED.contains(lower) || lower.startsWith("proxy-") || lower.startsWith("sec-")) {
                throw invalid("header '" + name + "' is set by Atrium or the HTTP client and cannot be configured;"
                        + " put a secret in a credential");
            }
            if (!seen.add(lower)) {
                throw invalid("header '" + name + "' is given twice");
            }
            if (value != null && !VALUE.matcher(value).matches()) {
                throw invalid("the value of header '" + name + "' must be printable ASCII of at most " + MAX_VALUE
                        + " characters");
            }
        });
    }

    private static String shortened(String name) {
        String printable = name.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }

    private static AtriumException invalid(String message) {
        return AtriumException.invalidField("headers", message);
    }
}
