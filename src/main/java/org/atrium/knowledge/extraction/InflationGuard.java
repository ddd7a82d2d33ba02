package org.atrium.knowledge.extraction;

import org.jspecify.annotations.Nullable;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.LongSupplier;

/**
 * Counts what one document's compressed parts inflate to while they are read, and stops the reading at the first
 * limit crossed. The first violation is kept, so that extraction can report it even when a parser swallowed the
 * exception (Tika records failures of embedded documents instead of throwing them); after a violation every counted
 * stream of the document fails at its next read, which ends the parse quickly.
 *
 * <p>One guard per extraction, used by one thread.
 */
final class InflationGuard {

    private final ExtractionLimits limits;
    private long inflated;
    private @Nullable ExtractionException violation;

    InflationGuard(ExtractionLimits limits) {
        this.limits = limits;
    }

    /** Thrown by counted streams; carries the failure to report. */
    static final class LimitExceeded extends IOException {
        private final ExtractionException failure;

        LimitExceeded(ExtractionException failure) {
            super(failure.getMessage());
            this.failure = failure;
        }

        ExtractionException failure() {
            return failure;
        }
    }

    /**
     * @param inflating  the stream of one part's inflated bytes
     * @param maxBytes   the most bytes this part may inflate to
     * @param compressed how many compressed bytes the part has consumed so far, or null when unknown (then the ratio
     *                   is not checked)
     * @return the stream, counted against this part's and the document's limits; closing it closes {@code inflating}
     */
    InputStream count(InputStream inflating, long maxBytes, @Nullable LongSupplier compressed) {
        return new Counted(inflating, maxBytes, compressed);
    }

    /**
     * As {@link #count(InputStream, long, LongSupplier)}, for a decoder that writes what it inflates (PDFBox's
     * filters): a write past a limit throws before the bytes reach {@code sink}.
     *
     * @return the stream, counted against this part's and the document's limits; closing it closes {@code sink}
     */
    CountedOutput countWritten(OutputStream sink, long maxBytes, @Nullable LongSupplier compressed) {
        return new CountedOutput(sink, maxBytes, compressed);
    }

    /** @return how many bytes the counted streams inflated so far, all together */
    long inflated() {
        return inflated;
    }

    /** Records a violation found without reading (declared sizes, entry counts) and returns it to throw. */
    ExtractionException refuse(String code, String message) {
        ExtractionException failure = new ExtractionException(code, message, null);
        if (violation == null) {
            violation = failure;
        }
        return violation;
    }

    /** @throws ExtractionException the first violation, if there was one */
    void check() {
        if (violation != null) {
            throw violation;
        }
    }

    /** @return whether a limit was crossed */
    boolean violated() {
        return violation != null;
    }

    private void add(long bytes, long partBytes, long maxBytes, @Nullable LongSupplier compressed)
            throws LimitExceeded {
        if (violation != null) {
            throw new LimitExceeded(violation);
        }
        inflated += bytes;
        if (partBytes > maxBytes) {
            throw new LimitExceeded(refuse(ExtractionException.DECOMPRESSION_BOMB, "A compressed part of the "
                    + "document inflates to more than %,d bytes, the most Atrium reads from one part."
                    .formatted(maxBytes)));
        }
        if (inflated > limits.maxInflatedBytes()) {
            throw new LimitExceeded(refuse(ExtractionException.DECOMPRESSION_BOMB, "The compressed parts of the "
                    + "document inflate to more than %,d bytes, the most Atrium reads from one document."
                    .formatted(limits.maxInflatedBytes())));
        }
        if (compressed != null && partBytes > limits.ratioGraceBytes()) {
            long packed = Math.max(1, compressed.getAsLong());
            if (partBytes / packed > limits.maxCompressionRatio()) {
                throw new LimitExceeded(refuse(ExtractionException.DECOMPRESSION_BOMB, "A compressed part of the "
                        + "document inflates more than %d times, which only a decompression bomb does."
                        .formatted(limits.maxCompressionRatio())));
            }
        }
    }

    private final class Counted extends FilterInputStream {
        private final long maxBytes;
        private final @Nullable LongSupplier compressed;
        private long read;

        Counted(InputStream in, long maxBytes, @Nullable LongSupplier compressed) {
            super(in);
            this.maxBytes = maxBytes;
            this.compressed = compressed;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                read++;
                add(1, read, maxBytes, compressed);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                read += n;
                add(n, read, maxBytes, compressed);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes are inflated all the same: count them by reading.
            byte[] buffer = new byte[(int) Math.min(8192, Math.max(1, n))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** A stream a decoder writes into, counted. */
    final class CountedOutput extends FilterOutputStream {
        private final long maxBytes;
        private final @Nullable LongSupplier compressed;
        private long written;

        CountedOutput(OutputStream out, long maxBytes, @Nullable LongSupplier compressed) {
            super(out);
            this.maxBytes = maxBytes;
            this.compressed = compressed;
        }

        @Override
        public void write(int b) throws IOException {
            written++;
            add(1, written, maxBytes, compressed);
            out.write(b);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            if (length > 0) {
                written += length;
                add(length, written, maxBytes, compressed);
                out.write(buffer, offset, length);
            }
        }

        /** @return how many bytes were written through this stream */
        long written() {
            return written;
        }
    }
}
