package org.atrium.storage.internal;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Passes through exactly {@code length} bytes of a caller's stream, computing their SHA-256 on the way, and fails
 * the read that would reveal a different length: a read that hits the end too early, or the read of the last
 * declared byte when the stream has more. Failing inside a read (rather than after the copy) makes the store abort
 * the write before anything becomes visible.
 *
 * <p>Not thread-safe; one writer reads it once. {@link #close()} leaves the caller's stream open: the caller owns
 * it.
 */
final class ExactLengthInputStream extends InputStream {

    private final InputStream in;
    private final long length;
    private final MessageDigest digest;
    private long count;
    private boolean complete;
    private @Nullable IOException failure;
    private @Nullable String sha256Hex;

    /**
     * @param in     the caller's stream
     * @param length how many bytes it must hold
     */
    ExactLengthInputStream(InputStream in, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        this.in = Objects.requireNonNull(in, "content");
        this.length = length;
        this.digest = sha256();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
        Objects.checkFromIndexSize(offset, len, buffer.length);
        if (failure != null) {
            throw failure;
        }
        if (len == 0) {
            return 0;
        }
        if (count == length) {
            finish();
            return -1;
        }
        int n;
        try {
            n = in.read(buffer, offset, (int) Math.min(len, length - count));
        } catch (IOException readFailure) {
            throw fail(readFailure);
        }
        if (n < 0) {
            throw fail(new IOException("content ended after " + count + " of the declared " + length + " bytes"));
        }
        digest.update(buffer, offset, n);
        count += n;
        if (count == length) {
            finish();
        }
        return n;
    }

    /** Probes for one byte past the declared length. */
    private void finish() throws IOException {
        if (complete) {
            return;
        }
        int next;
        try {
            next = in.read();
        } catch (IOException readFailure) {
            throw fail(readFailure);
        }
        if (next != -1) {
            throw fail(new IOException("content is longer than the declared " + length + " bytes"));
        }
        complete = true;
        sha256Hex = HexFormat.of().formatHex(digest.digest());
    }

    private IOException fail(IOException exception) {
        failure = exception;
        return exception;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), length - count);
    }

    @Override
    public void close() {
        // The caller's stream stays open: BlobStore.put does not take ownership of it.
    }

    /**
     * @return whether exactly the declared number of bytes has been read and the end of the stream seen
     */
    boolean isComplete() {
        return complete;
    }

    /**
     * @return the length mismatch or read failure that stopped the copy, if any
     */
    @Nullable IOException failure() {
        return failure;
    }

    /**
     * @return how many bytes have been passed through
     */
    long count() {
        return count;
    }

    /**
     * @return the SHA-256 of the content, lower-case hexadecimal
     * @throws IllegalStateException before the content has been read completely
     */
    String sha256Hex() {
        if (sha256Hex == null) {
            throw new IllegalStateException("content not read completely");
        }
        return sha256Hex;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java runtime provides SHA-256", impossible);
        }
    }
}
