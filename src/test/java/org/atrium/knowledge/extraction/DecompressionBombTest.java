package org.atrium.knowledge.extraction;

import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.atrium.testing.Bombs;
import org.atrium.testing.Documents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Generated bombs of each kind are refused with a stable code after inflating a bounded amount, in detection and in
 * extraction, while ordinary documents of the same kinds still extract.
 */
class DecompressionBombTest {

    private static final TextExtractor EXTRACTOR = new TextExtractor(10_000_000);
    private static final ExtractionLimits LIMITS = EXTRACTOR.limits();
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path directory;

    @Test
    void aWordDocumentXmlBombIsRefusedAfterInflatingAboutOneMebibyte() {
        assertBombRefusedEarly("docx", Bombs::docx);
    }

    @Test
    void aSpreadsheetSharedStringsBombIsRefusedAfterInflatingAboutOneMebibyte() {
        assertBombRefusedEarly("xlsx", Bombs::xlsx);
    }

    @Test
    void aBombWhoseDeclaredSizesLieIsRefusedWhileInflatingAfterAboutOneMebibyte() {
        assertBombRefusedEarly("docx with lying sizes", () -> Bombs.lyingSizes(Bombs.docx()));
    }

    @Test
    void aContentTypesBombIsRefusedByTypeDetectionAfterABoundedRead() {
        byte[] bomb = Bombs.contentTypes();
        InflationGuard guard = new InflationGuard(LIMITS);
        long started = System.nanoTime();
        ExtractionException refused = catchThrowableOfType(ExtractionException.class,
                () -> ZipContainers.detect(new ByteArrayInputStream(bomb), LIMITS, guard));
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(refused.code()).isEqualTo(ExtractionException.DECOMPRESSION_BOMB);
        assertThat(guard.inflated()).isLessThanOrEqualTo(LIMITS.maxDetectionEntryBytes() + 64 * 1024);
        System.out.printf("bomb contentTypes: %,d bytes, refused in detection after %,d inflated bytes, %d ms%n",
                bomb.length, guard.inflated(), millis);
        assertThatThrownBy(() -> EXTRACTOR.detect(new ByteArrayInputStream(bomb)))
                .isInstanceOfSatisfying(ExtractionException.class,
                        e -> assertThat(e.code()).isEqualTo(ExtractionException.DECOMPRESSION_BOMB));
        assertThatThrownBy(() -> EXTRACTOR.extract(new ByteArrayInputStream(bomb)))
                .isInstanceOfSatisfying(ExtractionException.class,
                        e -> assertThat(e.code()).isEqualTo(ExtractionException.DECOMPRESSION_BOMB));
    }

    @Test
    void aBombInAnArchiveInAnArchiveAttachedToAPdfIsRefused() throws IOException {
        assertExtractionRefused("nested zip", Bombs.nestedZip(), ExtractionException.DECOMPRESSION_BOMB);
    }

    @Test
    void aGzipBombAttachedToAPdfIsRefused() throws IOException {
        assertExtractionRefused("nested gzip", Bombs.nestedGzip(), ExtractionException.DECOMPRESSION_BOMB);
    }

    @Test
    void aPdfPageWhoseContentInflatesToAGibibyteIsRefused() throws IOException {
        byte[] bomb = Bombs.pdfContent();
        File file = Documents.write(directory, "content.pdf", bomb).toFile();
        InflationGuard guard = new InflationGuard(LIMITS);
        assertThatThrownBy(() -> PdfInspector.inspect(file, LIMITS, guard))
                .isInstanceOfSatisfying(ExtractionException.class,
                        e -> assertThat(e.code()).isEqualTo(ExtractionException.DECOMPRESSION_BOMB));
        assertThat(guard.inflated()).isLessThan(2 * MIB);
        assertExtractionRefused("pdf content", bomb, ExtractionException.DECOMPRESSION_BOMB);
    }

    @Test
    void aPdfContentStreamDeflatedTwiceIsRefusedAfterInflatingAFewMebibytes() throws IOException {
        assertPdfBombRefusedEarly("pdf double flate", Bombs.pdfDoubleFlate());
    }

    @Test
    void aFormXObjectBombDrawnByAFormThatDrawsItselfIsRefusedAfterInflatingAFewMebibytes() throws IOException {
        assertPdfBombRefusedEarly("pdf nested form", Bombs.pdfNestedForm());
    }

    @Test
    void anAnnotationAppearanceStreamBombIsRefusedAfterInflatingAFewMebibytes() throws IOException {
        assertPdfBombRefusedEarly("pdf annotation appearance", Bombs.pdfAnnotationAppearance());
    }

    @Test
    void aPdfWithMorePagesThanTheLimitIsTooComplex() throws IOException {
        assertExtractionRefused("pdf pages", Bombs.pdfPages(LIMITS.maxPages() + 1),
                ExtractionException.DOCUMENT_TOO_COMPLEX);
    }

    @Test
    void aPdfDeclaringMoreObjectsThanTheLimitIsTooComplexBeforeItsCrossReferenceIsRead() {
        String pdf = "%PDF-1.7\n1 0 obj <</Type/Catalog>> endobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n"
                + "<</Size 50000000 /Root 1 0 R>>\nstartxref\n42\n%%EOF\n";
        assertThatThrownBy(() -> EXTRACTOR.extract(new ByteArrayInputStream(pdf.getBytes())))
                .isInstanceOfSatisfying(ExtractionException.class,
                        e -> assertThat(e.code()).isEqualTo(ExtractionException.DOCUMENT_TOO_COMPLEX));
    }

    @Test
    void documentsEmbeddedDeeperThanTheLimitAreSkippedWhileTheRestIsRead() throws IOException {
        byte[] archive = Documents.zip("deeply buried sentence");
        for (int level = 0; level < LIMITS.maxEmbeddedDepth(); level++) {
            archive = Bombs.zipOf("level" + level + ".zip", archive);
        }
        byte[] pdf = Bombs.pdfWithAttachment("archive.zip", archive, "The visible page.");

        ExtractedText extracted = EXTRACTOR.extract(new ByteArrayInputStream(pdf));

        assertThat(extracted.text()).contains("The visible page.").doesNotContain("deeply buried sentence");
        byte[] shallow = Bombs.pdfWithAttachment("archive.zip", Documents.zip("shallow sentence"), "Page.");
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(shallow)).text()).contains("shallow sentence");
    }

    @Test
    void aWorkbookWhoseSharedStringsWouldTakeMoreThanAQuarterOfTheMemoryBudgetIsTooComplex() throws IOException {
        ExtractionLimits small = new ExtractionLimits(LIMITS.maxEntries(), LIMITS.maxEntryBytes(),
                LIMITS.maxInflatedBytes(), LIMITS.maxCompressionRatio(), LIMITS.ratioGraceBytes(),
                LIMITS.maxDetectionEntryBytes(), LIMITS.maxEmbeddedDepth(), LIMITS.maxEmbeddedDocuments(),
                LIMITS.maxPages(), LIMITS.maxPdfObjects(), 8 * MIB);
        String[][] rows = new String[60_000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new String[] {"distinct text number " + i};
        }
        byte[] workbook = Documents.xlsx(rows);

        assertThatThrownBy(() -> new TextExtractor(10_000_000, small).extract(new ByteArrayInputStream(workbook)))
                .isInstanceOfSatisfying(ExtractionException.class,
                        e -> assertThat(e.code()).isEqualTo(ExtractionException.DOCUMENT_TOO_COMPLEX));
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(workbook)).text()).contains("distinct text number 59999");
    }

    @Test
    void poisJvmWideZipLimitsAreTheDefaultsWhateverExtractorsAreCreatedAndParse() throws IOException {
        ExtractionLimits own = new ExtractionLimits(7, 3 * MIB, 5 * MIB, 9, 2 * MIB, MIB, 1, 2, 3, 4, 8 * MIB);

        new TextExtractor(1_000, own);
        // Parsing an OOXML file initialises Tika's OOXML parser, which switches POI's ratio check off.
        assertThat(new TextExtractor(1_000).extract(new ByteArrayInputStream(Documents.xlsx(new String[] {"cell"})))
                .text()).contains("cell");

        assertThat(ZipSecureFile.getGraceEntrySize()).isEqualTo(LIMITS.ratioGraceBytes());
        assertThat(ZipSecureFile.getMaxEntrySize()).isEqualTo(LIMITS.maxEntryBytes());
        assertThat(ZipSecureFile.getMaxFileCount()).isEqualTo(LIMITS.maxEntries());
        assertThat(ZipSecureFile.getMinInflateRatio()).isEqualTo(1.0 / LIMITS.maxCompressionRatio());
    }

    @Test
    void deeplyNestedXmlIsTooComplex() throws IOException {
        String xml = "<?xml version=\"1.0\"?>\n" + "<a>".repeat(200_000) + "text" + "</a>".repeat(200_000);
        byte[] docx = Bombs.docxWithBody("<w:tbl><w:tr><w:tc>".repeat(5_000) + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
                + "</w:tc></w:tr></w:tbl>".repeat(5_000));

        assertExtractionRefused("deep xml", xml.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                ExtractionException.DOCUMENT_TOO_COMPLEX);
        assertExtractionRefused("deep docx tables", docx, ExtractionException.DOCUMENT_TOO_COMPLEX);
    }

    @Test
    void theMemoryBudgetLetsOneDocumentTakeAtMostAllOfItAndReturnsItsShare() throws IOException {
        MemoryBudget budget = new MemoryBudget(8 * MIB);
        int share = budget.acquire(100 * MIB);
        assertThat(share).isEqualTo(8);
        assertThat(budget.available()).isZero();
        budget.release(share);
        assertThat(budget.acquire(1)).isEqualTo(1);
        assertThat(budget.available()).isEqualTo(7);
    }

    private void assertBombRefusedEarly(String kind, Supplier<byte[]> maker) {
        byte[] bomb = maker.get();
        File file = Documents.write(directory, kind.replace(' ', '-'), bomb).toFile();
        InflationGuard guard = new InflationGuard(LIMITS);
        long started = System.nanoTime();
        ExtractionException refused = catchThrowableOfType(ExtractionException.class,
                () -> ZipContainers.inspect(file, LIMITS, guard));
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(refused.code()).isEqualTo(ExtractionException.DECOMPRESSION_BOMB);
        // The ratio is checked past 1 MiB; the rest is one read buffer of slack.
        assertThat(guard.inflated()).isLessThan(LIMITS.ratioGraceBytes() + MIB);
        System.out.printf("bomb %s: %,d bytes, refused after %,d inflated bytes, %d ms%n", kind, bomb.length,
                guard.inflated(), millis);
        try {
            assertExtractionRefused(kind, bomb, ExtractionException.DECOMPRESSION_BOMB);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The inspection refuses the PDF after a bounded inflation (two filters' outputs at most), and so does extraction. */
    private void assertPdfBombRefusedEarly(String kind, byte[] bomb) throws IOException {
        File file = Documents.write(directory, kind.replace(' ', '-') + ".pdf", bomb).toFile();
        InflationGuard guard = new InflationGuard(LIMITS);
        long started = System.nanoTime();
        ExtractionException refused = catchThrowableOfType(ExtractionException.class,
                () -> PdfInspector.inspect(file, LIMITS, guard));
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(refused).as(kind + " is refused by the inspection").isNotNull();
        assertThat(refused.code()).isEqualTo(ExtractionException.DECOMPRESSION_BOMB);
        assertThat(guard.inflated()).isLessThan(2 * LIMITS.ratioGraceBytes() + 2 * MIB);
        System.out.printf("bomb %s: %,d bytes, refused after %,d inflated bytes, %d ms%n", kind, bomb.length,
                guard.inflated(), millis);
        assertExtractionRefused(kind, bomb, ExtractionException.DECOMPRESSION_BOMB);
    }

    private static void assertExtractionRefused(String kind, byte[] bomb, String code) throws IOException {
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long before = heap.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
        long started = System.nanoTime();
        ExtractionException refused = catchThrowableOfType(ExtractionException.class,
                () -> EXTRACTOR.extract(new ByteArrayInputStream(bomb)));
        long millis = (System.nanoTime() - started) / 1_000_000;
        // The sum of each pool's own peak: an upper bound of the heap's peak during the extraction.
        long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();

        assertThat(refused).as(kind).isNotNull();
        StringBuilder causes = new StringBuilder();
        for (Throwable cause = refused.getCause(); cause != null; cause = cause.getCause()) {
            causes.append(" <- ").append(cause);
        }
        assertThat(refused.code()).as(kind + ": " + refused.getMessage() + causes).isEqualTo(code);
        System.out.printf("extract %s: %,d bytes, %s in %d ms, heap %,d bytes before, peak at most %,d%n", kind,
                bomb.length, code, millis, before, peak);
    }
}
