package org.atrium.providers.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Builds provider URLs from a connection's base URL, which may or may not end with a slash. */
public final class Uris {

    private Uris() {
    }

    /**
     * @param base the base URL (no query, checked at configuration)
     * @param path the path to append, starting with {@code /}
     * @return the base with the path appended
     */
    public static URI append(URI base, String path) {
        String root = base.toString();
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return URI.create(root + path);
    }

    /**
     * @param value a query parameter value
     * @return it, URL-encoded
     */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
