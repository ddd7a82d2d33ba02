package org.atrium.providers.internal;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.atrium.platform.AbortOnEarlyClose;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;

/**
 * One request to a provider and its response, on Apache's classic client: sent and read on the caller's thread.
 * The body is read to its end, which returns the connection to the pool, or given up by cancelling the request
 * ({@link HttpUriRequestBase#cancel()}, from any thread), which closes the connection at once; cancelling after the
 * end changes nothing. Apache's own way of closing a body before its end reads the rest, which a provider that keeps
 * streaming (or never stops) must not be able to impose; closing {@link #body()} early cancels instead.
 */
final class Exchange {

    /** {@code application/json}, without a charset parameter: JSON is UTF-8 by definition (RFC 8259). */
    static final ContentType JSON = ContentType.create("application/json");
    private static final InputStream EMPTY = InputStream.nullInputStream();

    private final ClassicHttpResponse response;
    private final InputStream body;

    private Exchange(HttpUriRequestBase request, ClassicHttpResponse response) throws IOException {
        this.response = response;
        HttpEntity entity = response.getEntity();
        this.body = entity == null ? EMPTY : new AbortOnEarlyClose(entity.getContent(), request::cancel);
    }

    /**
     * Sends the request and waits for the response's head. Cancelling the request (from any thread) ends the wait
     * with an {@link IOException}, as does an interrupt of the waiting virtual thread.
     *
     * @param client  the client
     * @param request the request, with its headers and body
     * @return the exchange, its body unread
     * @throws IOException when no response arrives (refused, reset, timed out, aborted)
     */
    static Exchange send(CloseableHttpClient client, HttpUriRequestBase request) throws IOException {
        ClassicHttpResponse response = client.executeOpen(null, request, null);
        try {
            return new Exchange(request, response);
        } catch (IOException | RuntimeException unreadable) {
            request.cancel();
            throw unreadable;
        }
    }

    /** @return the response's status code */
    int status() {
        return response.getCode();
    }

    /**
     * @param name a header name, any case
     * @return its first value, or null when absent
     */
    @Nullable String header(String name) {
        Header header = response.getFirstHeader(name);
        return header == null ? null : header.getValue();
    }

    /** @return the body; closing it before its end cancels the request */
    InputStream body() {
        return body;
    }
}
