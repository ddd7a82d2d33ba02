package org.atrium.knowledge.extraction;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.io.RandomAccessReadBufferedFile;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a PDF before Tika parses it: the objects its cross-reference declares (read from the file's tail, before
 * PDFBox builds the table in memory), its page count, and what every stream text extraction decodes inflates to
 * ({@link PdfStreams}), counted through the document's {@link InflationGuard}. PDFBox would otherwise decode each
 * such stream whole into memory, and keep every character of a page in memory until the page ends.
 */
final class PdfInspector {

    private static final Pattern SIZE = Pattern.compile("/Size\\s+(\\d{1,12})");
    private static final Pattern START_XREF = Pattern.compile("startxref\\s+(\\d{1,15})");
    private static final int TAIL = 4096;

    private PdfInspector() {
    }

    /**
     * @param file the PDF
     * @return the largest number of bytes one stream decoded to (0 when none could be read)
     * @throws ExtractionException {@link ExtractionException#DOCUMENT_TOO_COMPLEX} for too many objects or pages,
     *                             {@link ExtractionException#DECOMPRESSION_BOMB} for content that inflates too much
     */
    static long inspect(File file, ExtractionLimits limits, InflationGuard guard) {
        try {
            long objects = declaredObjects(file);
            if (objects > limits.maxPdfObjects()) {
                throw guard.refuse(ExtractionException.DOCUMENT_TOO_COMPLEX, "The PDF declares %,d objects; Atrium "
                        .formatted(objects) + "reads PDFs of at most %,d.".formatted(limits.maxPdfObjects()));
            }
        } catch (IOException unreadable) {
            return 0; // Tika reports the damage
        }
        try (PDDocument document = Loader.loadPDF(new RandomAccessReadBufferedFile(file), "", null, null,
                IOUtils.createTempFileOnlyStreamCache())) {
            int pages = document.getNumberOfPages();
            if (pages > limits.maxPages()) {
                throw guard.refuse(ExtractionException.DOCUMENT_TOO_COMPLEX, "The PDF has %,d pages; Atrium reads "
                        .formatted(pages) + "PDFs of at most %,d.".formatted(limits.maxPages()));
            }
            PdfStreams streams = new PdfStreams(limits, guard);
            for (PDPage page : document.getPages()) {
                streams.page(page);
            }
            return streams.largest();
        } catch (InflationGuard.LimitExceeded bomb) {
            throw bomb.failure();
        } catch (InvalidPasswordException encrypted) {
            return 0;
        } catch (IOException | RuntimeException unreadable) {
            guard.check();
            return 0;
        }
    }

    /** The largest {@code /Size} of the trailer or cross-reference stream the file's tail points at, or 0. */
    private static long declaredObjects(File file) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file, "r")) {
            String tail = read(in, Math.max(0, in.length() - TAIL));
            long size = largestSize(tail);
            Matcher start = START_XREF.matcher(tail);
            long xref = -1;
            while (start.find()) {
                xref = Long.parseLong(start.group(1));
            }
            if (xref >= 0 && xref < in.length()) {
                size = Math.max(size, largestSize(read(in, xref)));
            }
            return size;
        }
    }

    private static String read(RandomAccessFile in, long from) throws IOException {
        byte[] bytes = new byte[(int) Math.min(TAIL, in.length() - from)];
        in.seek(from);
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static long largestSize(String text) {
        long size = 0;
        Matcher matcher = SIZE.matcher(text);
        while (matcher.find()) {
            size = Math.max(size, Long.parseLong(matcher.group(1)));
        }
        return size;
    }
}
