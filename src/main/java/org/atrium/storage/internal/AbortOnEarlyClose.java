package org.atrium.storage.internal;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.FilterInputStream;
import java.io.IOException;

/**
 * The stream {@link S3BlobStore#open} returns. Closing a response stream normally reads what is left so the
 * connection can be reused; for a reader that stops early in a large object, dropping the connection is much
 * cheaper.
 */
final class AbortOnEarlyClose extends FilterInputStream {

    private final ResponseInputStream<GetObjectResponse> response;
    private boolean ended;

    AbortOnEarlyClose(ResponseInputStream<GetObjectResponse> response) {
        super(response);
        this.response = response;
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
        if (!ended) {
            response.abort();
        }
        super.close();
    }
}
