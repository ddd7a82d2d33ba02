package org.atrium.providers.internal;

import java.io.IOException;
import java.io.InputStream;

/** Reads what a provider sends without trusting its size. */
public final class Bounded {

    /** Largest non-streamed body read from a provider (a model list page, an error body). */
    public static final int MAX_BODY = 4 * 1024 * 1024;
    /** Largest error body quoted from; the rest is discarded. */
    public static final int MAX_ERROR_BODY = 64 * 1024;

    private Bounded() {
    }

    /** The provider sent more than the limit. */
    public static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("the answer is larger than " + limit + " bytes");
        }
    }

    /**
     * @param in    the body
     * @param limit most bytes to accept
     * @return every byte
     * @throws TooLarge    when the body is longer than the limit
     * @throws IOException when reading fails
     */
    public static byte[] read(InputStream in, int limit) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new TooLarge(limit);
            }
            return bytes;
        }
    }

    /**
     * Reads up to the limit and drops the rest: for error bodies, where a truncated explanation is still useful.
     *
     * @param in    the body
     * @param limit most bytes to keep
     * @return the first bytes, or none when reading fails
     */
    public static byte[] head(InputStream in, int limit) {
        try (in) {
            return in.readNBytes(limit);
        } catch (IOException unreadable) {
            return new byte[0];
        }
    }
}
