package org.atrium.storage.internal;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A stream of pseudo-random bytes generated as they are read, so that arbitrarily large content never exists in
 * memory as a whole. Computes its own SHA-256, and can measure the heap once, when a given number of bytes has been
 * read: a store that buffered the content would hold all of it at that moment.
 */
final class GeneratedContent extends InputStream {

    private final long size;
    private final long measureAt;
    private final MessageDigest digest;
    private long state;
    private long produced;
    private long heapAtMeasure = -1;

    /**
     * @param size      how many bytes the stream holds
     * @param seed      the generator's seed
     * @param measureAt after how many bytes to measure the heap ({@code -1}: never)
     */
    GeneratedContent(long size, long seed, long measureAt) {
        this.size = size;
        this.measureAt = measureAt;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (produced == size) {
            return -1;
        }
        int n = (int) Math.min(length, size - produced);
        for (int i = 0; i < n; i++) {
            // xorshift64: cheap, and incompressible enough that no layer can shortcut the bytes.
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            buffer[offset + i] = (byte) state;
        }
        digest.update(buffer, offset, n);
        long before = produced;
        produced += n;
        if (measureAt >= 0 && before < measureAt && produced >= measureAt) {
            heapAtMeasure = usedHeapAfterGc();
        }
        return n;
    }

    /**
     * @return the SHA-256 of the bytes read so far, lower-case hexadecimal (of all of them once read to the end)
     */
    String sha256Hex() {
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * @return the used heap measured after {@code measureAt} bytes, or {@code -1} if not reached
     */
    long heapAtMeasure() {
        return heapAtMeasure;
    }

    /**
     * @return the used heap right after a full collection
     */
    static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
