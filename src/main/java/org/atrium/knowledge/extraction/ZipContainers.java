package org.atrium.knowledge.extraction;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.InputStreamStatistics;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.tika.detect.microsoft.ooxml.OPCPackageDetector;
import org.apache.tika.detect.zip.OpenDocumentDetector;
import org.apache.tika.detect.zip.StreamingDetectContext;
import org.apache.tika.detect.zip.ZipContainerDetector;
import org.apache.tika.mime.MediaType;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.List;

/**
 * ZIP containers (OOXML, OpenDocument, archives embedded in documents) read with every inflated byte counted: type
 * detection from a bounded prefix, and a full check of a container's entries before a parser opens it.
 *
 * <p>Tika's own ZIP detection inflates whole entries ({@code [Content_Types].xml} into a SAX parser, or into a DOM
 * through POI), so a single bomb entry reached the heap during the upload request. Here only the two detectors of the
 * ZIP types Atrium reads (OOXML and OpenDocument) see the entries, through streams that stop at
 * {@link ExtractionLimits#maxDetectionEntryBytes()}.
 */
final class ZipContainers {

    /** How many compressed bytes type detection reads at most, as Tika's streaming ZIP detection does. */
    static final int DETECTION_PREFIX = 16 * 1024 * 1024;

    /** Past this many inflated bytes, detection stops skipping entries of unknown size and decides from the rest. */
    static final long DETECTION_SKIP_BUDGET = 64L * 1024 * 1024;

    private static final List<ZipContainerDetector> DETECTORS =
            List.of(new OPCPackageDetector(), new OpenDocumentDetector());

    private static final int END_OF_DIRECTORY = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;

    private ZipContainers() {
    }

    /** @return whether the first bytes are those of a ZIP archive (a local file header or an empty archive) */
    static boolean isZip(byte[] prefix, int length) {
        return length >= 4 && prefix[0] == 'P' && prefix[1] == 'K'
                && ((prefix[2] == 3 && prefix[3] == 4) || (prefix[2] == 5 && prefix[3] == 6)
                || (prefix[2] == 7 && prefix[3] == 8));
    }

    /**
     * Detects the type of a ZIP container from its first {@value #DETECTION_PREFIX} bytes.
     *
     * @param raw the container from its first byte; read, not closed
     * @return the OOXML or OpenDocument type, {@code application/x-tika-ooxml} for an OOXML package whose content
     *         types were not found, or {@code application/zip}
     * @throws ExtractionException {@link ExtractionException#DECOMPRESSION_BOMB} when an entry inflates beyond the
     *                             limits
     */
    static MediaType detect(InputStream raw, ExtractionLimits limits) {
        return detect(raw, limits, new InflationGuard(limits));
    }

    /** As {@link #detect(InputStream, ExtractionLimits)}, counting with a guard of the caller's. */
    static MediaType detect(InputStream raw, ExtractionLimits limits, InflationGuard guard) {
        StreamingDetectContext context = new StreamingDetectContext();
        try (InputStream prefix = BoundedInputStream.builder().setInputStream(CloseShieldInputStream.wrap(raw))
                .setMaxCount(DETECTION_PREFIX).get();
             ZipArchiveInputStream zip = new ZipArchiveInputStream(prefix, "UTF-8", true, true)) {
            int entries = 0;
            for (ZipArchiveEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (++entries > limits.maxEntries()) {
                    break;
                }
                InputStream part = guard.count(CloseShieldInputStream.wrap(zip), limits.maxDetectionEntryBytes(),
                        zip::getCompressedCount);
                for (ZipContainerDetector detector : DETECTORS) {
                    MediaType type = detector.streamingDetectUpdate(entry, part, context);
                    // The OOXML detector swallows the failures of its XML parser, a refused read included.
                    guard.check();
                    if (type != null) {
                        return type;
                    }
                }
                if (entry.getGeneralPurposeBit().usesDataDescriptor()) {
                    // The archive would inflate this entry to find its end: count that, and stop when it is a lot.
                    if (guard.inflated() > DETECTION_SKIP_BUDGET) {
                        break;
                    }
                    guard.count(CloseShieldInputStream.wrap(zip), limits.maxEntryBytes(), zip::getCompressedCount)
                            .transferTo(OutputStream.nullOutputStream());
                }
            }
        } catch (InflationGuard.LimitExceeded bomb) {
            throw bomb.failure();
        } catch (IOException | RuntimeException truncatedOrOdd) {
            // A truncated prefix or an archive the streaming reader cannot follow: decide from what was seen.
            guard.check();
        }
        for (ZipContainerDetector detector : DETECTORS) {
            MediaType type = detector.streamingDetectFinal(context);
            if (type != null) {
                return type;
            }
        }
        return MediaType.APPLICATION_ZIP;
    }

    /**
     * Checks a whole container before a parser opens it: its entry count from the end-of-directory record (before
     * the directory itself is read into memory), each entry's declared size, then each entry inflated through the
     * guard, so that sizes that lie are caught too.
     *
     * @param file  the container
     * @param guard the document's guard
     * @return the bytes a parser may hold at once: the largest entry, or twice a workbook's shared strings (which
     *         Tika's streaming XLSX reader keeps in memory as strings); -1 when the file is not a readable archive
     *         (the parser then reports it as damaged)
     * @throws ExtractionException when a limit is crossed
     */
    static long inspect(File file, ExtractionLimits limits, InflationGuard guard) {
        try {
            long declared = declaredEntries(file);
            if (declared > limits.maxEntries()) {
                throw guard.refuse(ExtractionException.DECOMPRESSION_BOMB, "The document is an archive of %,d "
                        .formatted(declared) + "parts; Atrium reads at most %,d.".formatted(limits.maxEntries()));
            }
            long largest = 0;
            try (ZipFile zip = ZipFile.builder().setFile(file).get()) {
                List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
                if (entries.size() > limits.maxEntries()) {
                    throw guard.refuse(ExtractionException.DECOMPRESSION_BOMB, "The document is an archive of "
                            + "more than %,d parts.".formatted(limits.maxEntries()));
                }
                for (ZipArchiveEntry entry : entries) {
                    if (entry.getSize() > limits.maxEntryBytes()) {
                        throw guard.refuse(ExtractionException.DECOMPRESSION_BOMB, "A part of the document "
                                + "declares %,d bytes; Atrium reads at most %,d from one part."
                                .formatted(entry.getSize(), limits.maxEntryBytes()));
                    }
                }
                for (ZipArchiveEntry entry : entries) {
                    if (entry.isDirectory() || !zip.canReadEntryData(entry)) {
                        continue;
                    }
                    try (InputStream in = zip.getInputStream(entry)) {
                        InputStream counted = guard.count(in, limits.maxEntryBytes(),
                                in instanceof InputStreamStatistics s ? s::getCompressedCount : null);
                        long size = counted.transferTo(OutputStream.nullOutputStream());
                        largest = Math.max(largest, isSharedStrings(entry) ? 2 * size : size);
                        if (isSharedStrings(entry) && size > limits.memoryBudgetBytes() / 4) {
                            throw guard.refuse(ExtractionException.DOCUMENT_TOO_COMPLEX, "The spreadsheet's "
                                    + "shared strings take %,d bytes; this server reads at most %,d."
                                    .formatted(size, limits.memoryBudgetBytes() / 4));
                        }
                    }
                }
            }
            return largest;
        } catch (InflationGuard.LimitExceeded bomb) {
            throw bomb.failure();
        } catch (IOException | RuntimeException unreadable) {
            guard.check();
            return -1;
        }
    }

    private static boolean isSharedStrings(ZipArchiveEntry entry) {
        return entry.getName().toLowerCase(java.util.Locale.ROOT).endsWith("sharedstrings.xml");
    }

    /** The entry count the end-of-central-directory record declares (ZIP64's when present), or -1 when not found. */
    private static long declaredEntries(File file) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file, "r")) {
            int tail = (int) Math.min(in.length(), 65_535 + 22);
            byte[] bytes = new byte[tail];
            in.seek(in.length() - tail);
            in.readFully(bytes);
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = tail - 22; at >= 0; at--) {
                if (buffer.getInt(at) != END_OF_DIRECTORY) {
                    continue;
                }
                long entries = Short.toUnsignedInt(buffer.getShort(at + 10));
                if (entries == 0xFFFF && at >= 20 && buffer.getInt(at - 20) == ZIP64_LOCATOR) {
                    long record = buffer.getLong(at - 20 + 8);
                    if (record >= 0 && record + 40 <= in.length()) {
                        byte[] zip64 = new byte[8];
                        in.seek(record + 32);
                        in.readFully(zip64);
                        long count = ByteBuffer.wrap(zip64).order(ByteOrder.LITTLE_ENDIAN).getLong();
                        return count < 0 ? Long.MAX_VALUE : count;
                    }
                }
                return entries;
            }
            return -1;
        }
    }
}
