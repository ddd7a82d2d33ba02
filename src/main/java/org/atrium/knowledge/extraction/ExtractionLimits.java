package org.atrium.knowledge.extraction;

/**
 * How far extraction goes before it calls a document hostile. Compressed parts (entries of OOXML and OpenDocument
 * files, archives embedded at any depth, PDF page contents) are counted while they are inflated, so a part that would
 * inflate to gigabytes is refused after a bounded amount; the failure is {@link ExtractionException#DECOMPRESSION_BOMB}
 * or {@link ExtractionException#DOCUMENT_TOO_COMPLEX}, never a retry.
 *
 * @param maxEntries             the most entries a ZIP container (or a ZIP embedded in a document) may have
 * @param maxEntryBytes          the most bytes one compressed part may inflate to; also POI's maximum entry size
 * @param maxInflatedBytes       the most bytes all compressed parts of one document together may inflate to
 * @param maxCompressionRatio    the highest inflated-to-compressed ratio of a part, checked once the part has
 *                               inflated past {@code ratioGraceBytes}; also POI's minimum inflate ratio
 * @param ratioGraceBytes        how many bytes a part may inflate to before its ratio is checked (tiny parts of
 *                               repeated markup compress extremely well and are harmless)
 * @param maxDetectionEntryBytes the most bytes type detection inflates from one entry ({@code [Content_Types].xml},
 *                               {@code mimetype}); a larger one is a bomb, since real ones are a few kilobytes
 * @param maxEmbeddedDepth       how deep documents embedded in documents are read (an attachment of a PDF is 1)
 * @param maxEmbeddedDocuments   how many embedded documents of one document are read, all depths together
 * @param maxPages               the most pages a PDF may have
 * @param maxPdfObjects          the most objects a PDF may declare (its cross-reference size)
 * @param memoryBudgetBytes      the memory all concurrent extractions of this process share; each takes a share
 *                               proportional to its size (at most all of it) and waits until that share is free
 */
public record ExtractionLimits(int maxEntries, long maxEntryBytes, long maxInflatedBytes, int maxCompressionRatio,
                               long ratioGraceBytes, long maxDetectionEntryBytes, int maxEmbeddedDepth,
                               int maxEmbeddedDocuments, int maxPages, int maxPdfObjects, long memoryBudgetBytes) {

    private static final long MIB = 1024 * 1024;

    /**
     * The limits Atrium runs with: 10,000 entries, 100 MiB per part, 1 GiB per document, ratio 100 after 1 MiB,
     * 4 MiB per entry for detection, embedded documents 3 deep and 1,000 in all, 10,000 PDF pages, 1,000,000 PDF
     * objects (PDFBox holds about 80 bytes per cross-reference entry in memory), and a quarter of the heap (at least
     * 64 MiB) as the memory budget.
     */
    public static ExtractionLimits defaults() {
        return new ExtractionLimits(10_000, 100 * MIB, 1024 * MIB, 100, MIB, 4 * MIB, 3, 1_000, 10_000,
                1_000_000, Math.max(64 * MIB, Runtime.getRuntime().maxMemory() / 4));
    }

    /** Checks that every limit is positive. */
    public ExtractionLimits {
        if (maxEntries < 1 || maxEntryBytes < 1 || maxInflatedBytes < 1 || maxCompressionRatio < 1
                || ratioGraceBytes < 0 || maxDetectionEntryBytes < 1 || maxEmbeddedDepth < 0
                || maxEmbeddedDocuments < 0 || maxPages < 1 || maxPdfObjects < 1 || memoryBudgetBytes < MIB) {
            throw new IllegalArgumentException("Every extraction limit must be positive (the memory budget at "
                    + "least 1 MiB): " + this);
        }
    }
}
