package org.atrium.providers.internal;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a stream line by line with limits on a line's length and on the whole: what a provider streams is not
 * trusted. Lines end with LF, CRLF or CR (SSE allows all three). Not thread-safe.
 */
final class LineReader {

    /** The provider sent more than a limit allows. */
    static final class LimitExceeded extends IOException {
        LimitExceeded(String what) {
            super(what);
        }
    }

    private final InputStream in;
    private final int maxLine;
    private final long maxTotal;
    /** Small: the connection's own buffer is under it, so a refill is a copy, not a read from the socket. */
    private final byte[] buffer = new byte[512];
    private int position;
    private int limit;
    private long total;
    private boolean skipLf;
    private byte[] line = new byte[256];

    LineReader(InputStream in, int maxLine, long maxTotal) {
        this.in = in;
        this.maxLine = maxLine;
        this.maxTotal = maxTotal;
    }

    /**
     * @return the next line without its end, or null at the end of the stream
     * @throws LimitExceeded when a line or the whole is too long
     * @throws IOException   when reading fails
     */
    @Nullable String next() throws IOException {
        int length = 0;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return length > 0 ? new String(line, 0, length, StandardCharsets.UTF_8) : null;
                }
                total += limit;
                if (total > maxTotal) {
                    throw new LimitExceeded("the answer is longer than " + maxTotal + " bytes");
                }
            }
            byte b = buffer[position++];
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                skipLf = b == '\r';
                return new String(line, 0, length, StandardCharsets.UTF_8);
            }
            if (length == maxLine) {
                throw new LimitExceeded("a line of the answer is longer than " + maxLine + " bytes");
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, Math.min(maxLine, line.length * 2));
            }
            line[length++] = b;
        }
    }
}
