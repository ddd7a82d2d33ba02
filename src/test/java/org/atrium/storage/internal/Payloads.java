package org.atrium.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/** Content for storage tests; large generated streams are {@link GeneratedContent}. */
final class Payloads {

    private Payloads() {
    }

    /**
     * @param size how many bytes
     * @return random bytes, the same for the same size
     */
    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /**
     * @param bytes any bytes
     * @return their SHA-256, lower-case hexadecimal
     */
    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * A stream that serves {@code bytes} bytes and then fails every read, like an upload whose client went away.
     *
     * @param bytes   how many bytes to serve first
     * @param failure what every later read throws
     * @return the stream
     */
    static InputStream failingAfter(int bytes, IOException failure) {
        return new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                // Overridden as a whole: InputStream's own version swallows a failure after the first byte.
                if (served >= bytes) {
                    throw failure;
                }
                int n = Math.min(length, bytes - served);
                Arrays.fill(buffer, offset, offset + n, (byte) 7);
                served += n;
                return n;
            }
        };
    }
}
