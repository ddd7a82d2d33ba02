package org.atrium.platform.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Problems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Bounds every request body before anything parses it: a declared {@code Content-Length} above the limit of the
 * endpoint's class is refused at once, and a body without one (chunked) is counted as it is read and stops the
 * reader at the limit. Both answer {@code 413 payload_too_large}. Multipart bodies sent to the upload endpoints (one
 * file, or a batch) are left to the multipart parser's own limits (knowledge's {@code UploadSpool}). Multipart and form
 * ({@code application/x-www-form-urlencoded}) bodies sent anywhere else are refused unparsed with
 * {@code 415 unsupported_media_type}: Jetty parses them from the connection, past the counting stream, whenever
 * anything asks for a request parameter, and no other endpoint takes them, except the web interface's forms
 * (sign-in, sign-up and sign-out within the sign-in body limit; the forms of the chat, knowledge, settings, group and
 * admin pages within the settings limit), with a declared length. Runs right after
 * {@link RequestLogFilter} (and the compatibility APIs' error shaping, which reads no body), before authentication, so
 * that anonymous callers cannot make any later code hold a large body.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class RequestBodyLimitFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RequestBodyLimitFilter.class);
    /** Where multipart uploads go; their bodies are bounded by the multipart limits instead. */
    private static final Pattern UPLOADS = Pattern.compile("/api/v1/(collections/[^/]+/files(/batch)?|files/?)");
    /**
     * The web interface's forms (module {@code web}): url-encoded bodies, taken only with a declared length within
     * the sign-in limit for the public ones ({@link #PUBLIC_FORMS}) and the settings limit for the signed-in pages'
     * (a settings form carries a system prompt), so that Jetty never parses more than that.
     */
    private static final Pattern FORMS = Pattern.compile(
            "/(signin|signup|signout|knowledge|(chats|knowledge|settings|groups|admin)/[^?#]+)");
    private static final Pattern PUBLIC_FORMS = Pattern.compile("/(signin|signup|signout)");
    private static final Pattern SETTINGS = Pattern.compile(
            "/api/v1/(settings/.*|me/settings|me/credentials(/.*)?|groups/[^/]+/(settings|credentials)(/.*)?)");

    /**
     * Conversations sent whole, images included, to the compatibility APIs; and the native chat's messages, which
     * may carry images (a new chat with its first message, a message added).
     */
    private static final Pattern COMPLETIONS = Pattern.compile(
            "/(v1|api)/chat/completions|/api/v1/messages|/ollama/api/(chat|generate)"
                    + "|/api/v1/chats|/api/v1/chats/[^/]+/messages");

    /** The most of an unread body read before answering on a kept connection (Tomcat's default swallow). */
    static final long MAX_DRAIN = 2L * 1024 * 1024;

    private final HttpLimitsProperties limits;

    RequestBodyLimitFilter(HttpLimitsProperties limits) {
        this.limits = limits;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            admit(request, response, chain);
        } finally {
            drainUnread(request, response);
        }
    }

    private void admit(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType() == null ? ""
                : request.getContentType().toLowerCase(Locale.ROOT);
        if (contentType.startsWith(MediaType.MULTIPART_FORM_DATA_VALUE) && "POST".equals(request.getMethod())
                && UPLOADS.matcher(request.getRequestURI()).matches()) {
            chain.doFilter(request, response);
            return;
        }
        if (contentType.startsWith(MediaType.APPLICATION_FORM_URLENCODED_VALUE) && "POST".equals(request.getMethod())
                && FORMS.matcher(request.getRequestURI()).matches()
                && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
            long limit = PUBLIC_FORMS.matcher(request.getRequestURI()).matches() ? limits.maxAuthBodySize().toBytes()
                    : limits.maxSettingsBodySize().toBytes();
            if (request.getContentLengthLong() > limit) {
                refuse(request, response, limit);
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        if ((contentType.startsWith("multipart/")
                || contentType.startsWith(MediaType.APPLICATION_FORM_URLENCODED_VALUE)) && hasBody(request)) {
            refuseForm(request, response);
            return;
        }
        long limit = limitFor(request.getRequestURI());
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            refuse(request, response, limit);
            return;
        }
        chain.doFilter(new LimitedRequest(request, limit), response);
    }

    /**
     * Reads what is left of a body the endpoint answered without reading whole (a refusal before the body, a parser
     * stopped at a limit), up to {@link #MAX_DRAIN}, as Tomcat's swallow did: Jetty reads only what has already
     * arrived and otherwise closes the connection, and closing a socket that still receives makes the kernel reset
     * it, so a client still sending its body could lose the answer. A client that waits for {@code 100 Continue}
     * sends nothing more, and an answer that closes the connection needs nothing read. A body that cannot be read
     * to its end (larger than that, or its reader failed, as a multipart parser does on a malformed body) leaves the
     * connection to be closed: the answer says so while it can, so that the client does not send another request
     * on it.
     */
    private static void drainUnread(HttpServletRequest request, HttpServletResponse response) {
        if (request.isAsyncStarted() || "close".equalsIgnoreCase(response.getHeader(HttpHeaders.CONNECTION))) {
            return;
        }
        if (!drained(request) && !response.isCommitted()) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
        }
    }

    /** Before a refusal: the body is read unparsed (up to {@link #MAX_DRAIN}) or the connection closes. */
    private static void closeUnlessDrained(HttpServletRequest request, HttpServletResponse response) {
        if (!drained(request)) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
        }
    }

    /** @return whether the body, if any, has been read to its end now (never when it is over {@link #MAX_DRAIN}) */
    private static boolean drained(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        boolean chunked = request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        if ((declared <= 0 && !chunked) || request.getHeader(HttpHeaders.EXPECT) != null) {
            return true; // nothing sent, or nothing sent until asked for
        }
        if (declared > MAX_DRAIN) {
            return false;
        }
        try {
            ServletInputStream in = request.getInputStream();
            if (in.isFinished()) {
                return true; // read whole by the endpoint, the common case: nothing to allocate
            }
            byte[] buffer = new byte[8192];
            long read = 0;
            for (int n = 0; n >= 0 && read <= MAX_DRAIN; n = in.read(buffer)) {
                read += n;
            }
            return read <= MAX_DRAIN;
        } catch (IOException | RuntimeException unreadable) {
            return false; // read through a reader already, failed, or the client went away
        }
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    private static void refuseForm(HttpServletRequest request, HttpServletResponse response) throws IOException {
        LogEvents.info(log, "http.request.form_refused").log();
        closeUnlessDrained(request, response);
        Problems.write(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "This endpoint takes"
                + " JSON. Multipart bodies are accepted by the file uploads (POST /api/v1/collections/{id}/files,"
                + " .../files/batch and POST /api/v1/files/) only, form bodies nowhere.");
    }

    private long limitFor(String path) {
        if (COMPLETIONS.matcher(path).matches()) {
            return limits.maxCompletionBodySize().toBytes();
        }
        if (path.startsWith("/api/v1/auth/")) {
            return limits.maxAuthBodySize().toBytes();
        }
        if (SETTINGS.matcher(path).matches()) {
            return limits.maxSettingsBodySize().toBytes();
        }
        return limits.maxBodySize().toBytes();
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, long limit)
            throws IOException {
        LogEvents.info(log, "http.request.body_too_large").addKeyValue("limit_bytes", limit).log();
        closeUnlessDrained(request, response);
        Problems.write(response, HttpStatus.CONTENT_TOO_LARGE, "payload_too_large", detail(limit));
    }

    /**
     * @param limit the limit in bytes
     * @return the sentence every {@code payload_too_large} problem carries
     */
    static String detail(long limit) {
        return "The request body is larger than this endpoint accepts (" + limit + " bytes). See docs/limits.md.";
    }

    /** The request with a body stream that stops at the limit. */
    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final long limit;
        private LimitedInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedInputStream(super.getInputStream(), limit);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding, StandardCharsets.UTF_8);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    /** Counts bytes and fails with {@link BodyTooLargeException} past the limit. */
    private static final class LimitedInputStream extends ServletInputStream {

        private final ServletInputStream delegate;
        private final long limit;
        private long count;

        LimitedInputStream(ServletInputStream delegate, long limit) {
            this.delegate = delegate;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) throws IOException {
            count += n;
            if (count > limit) {
                throw new BodyTooLargeException(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
