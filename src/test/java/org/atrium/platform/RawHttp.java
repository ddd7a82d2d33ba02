package org.atrium.platform;

import org.atrium.testing.Api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends: paths with encoded slashes or NUL, bodies
 * that lie about their length or end early, chunked bodies. Sends the bytes as given and reads the answer until the
 * server closes the connection ({@code Connection: close} is always sent).
 */
final class RawHttp {

    private final String host;
    private final int port;

    RawHttp(String baseUrl) {
        URI uri = URI.create(baseUrl);
        this.host = uri.getHost();
        this.port = uri.getPort();
    }

    /**
     * @param requestLine for example {@code GET /api/v1/groups HTTP/1.1}
     * @param headers     header lines without {@code Host} and {@code Connection}
     * @param body        bytes sent after the headers, as they are
     * @return the answer
     */
    Api.Response send(String requestLine, Map<String, String> headers, byte[] body) {
        return exchange(requestLine, headers, body, true);
    }

    /**
     * Sends the start of a body and reads the answer without ever finishing the body: an answer proves the server
     * did not wait for (read) the rest.
     *
     * @param requestLine for example {@code POST /api/v1/groups HTTP/1.1}
     * @param headers     header lines without {@code Host} and {@code Connection}
     * @param start       the first bytes of the body
     * @return the answer
     */
    Api.Response sendUnfinished(String requestLine, Map<String, String> headers, byte[] start) {
        return exchange(requestLine, headers, start, false);
    }

    private Api.Response exchange(String requestLine, Map<String, String> headers, byte[] body, boolean finish) {
        StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: ").append(host).append(':')
                .append(port).append("\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                if (finish) {
                    socket.shutdownOutput();
                }
            } catch (SocketException closedEarly) {
                // The server may answer and close before reading everything; its answer is still to be read.
            }
            return parse(readAll(socket.getInputStream()));
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /**
     * Reads the answer: up to its {@code Content-Length} when it has one (a server that answered a request whose body
     * never ends may keep reading that body until its connection timeout before it closes), else until the server
     * closes the connection.
     */
    private static final java.util.regex.Pattern CONTENT_LENGTH = java.util.regex.Pattern.compile(
            "(?im)^content-length:\\s*(\\d+)\\s*$");

    private static boolean complete(String received) {
        int end = received.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher length = CONTENT_LENGTH.matcher(received.substring(0, end));
        return length.find() && received.length() - end - 4 >= Long.parseLong(length.group(1));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
                if (complete(bytes.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (SocketException reset) {
            // A reset after the answer was sent: keep what arrived.
        }
        return bytes.toByteArray();
    }

    private static Api.Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no HTTP answer: '" + text + "'");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(), lines[i].substring(colon + 1).strip());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Api.Response(status, headers, body);
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, lineEnd).strip(), 16);
            if (size == 0) {
                break;
            }
            // Sizes count bytes; the problem bodies asserted on are ASCII.
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
        return body.toString();
    }
}
