package org.atrium.platform;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body that is aborted, not drained, when it is closed before its end. HTTP clients give a connection
 * back by reading what is left of the body first: for a reader that stops early in a large object that wastes the
 * transfer, and against a server whose body never ends it never returns. Aborting closes the connection instead.
 */
public final class AbortOnEarlyClose extends FilterInputStream {

    private final Runnable abort;
    private volatile boolean ended;

    /**
     * @param body  the response body
     * @param abort closes the body's connection at once; called from whichever thread closes the stream
     */
    public AbortOnEarlyClose(InputStream body, Runnable abort) {
        super(body);
        this.abort = abort;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        ended |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        ended |= n < 0;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (ended) {
            super.close();
            return;
        }
        abort.run();
        try {
            super.close();
        } catch (IOException connectionGone) {
            // The abort closed the connection; what closing the body then reports changes nothing.
        }
    }
}
