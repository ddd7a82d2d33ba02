package org.atrium.knowledge.extraction;

import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.tika.config.TikaConfig;
import org.apache.tika.detect.Detector;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.extractor.EmbeddedDocumentExtractor;
import org.apache.tika.io.TemporaryResources;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.csv.TextAndCSVParser;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.parser.txt.TXTParser;
import org.apache.tika.sax.BodyContentHandler;
import org.xml.sax.SAXException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Set;

/**
 * Detects the type of a document from its content and extracts its text, with Apache Tika.
 *
 * <p>File names are never consulted: a name is whatever the uploader typed, so a PDF called {@code notes.txt} is
 * still a PDF. Supported are PDF, Word, PowerPoint and Excel (OOXML and the legacy binary formats), OpenDocument
 * text, spreadsheets and presentations, RTF, HTML and XHTML, XML, JSON and any text. The text of embedded documents
 * (attachments, embedded spreadsheets) is included; images are not read (no OCR: a scanned PDF has no text).
 *
 * <p>Hostile documents end in an {@link ExtractionException} within the {@link ExtractionLimits}: compressed parts
 * are counted as they inflate (in detection too), PDFs are checked for pages, objects and content before they are
 * parsed, embedded documents are bounded in depth and number, Word and PowerPoint files are read with streaming SAX
 * parsers instead of a DOM, and concurrent extractions share a {@link MemoryBudget}. Apache POI's own ZIP limits
 * (JVM-wide settings) are set once, to the values of {@link ExtractionLimits#defaults()}.
 *
 * <p>Thread-safe; meant to be one instance per application.
 */
public final class TextExtractor {

    /** OLE2 wrapper of an OOXML file encrypted with a password; supported so that extraction can say so. */
    private static final MediaType PROTECTED_OOXML = MediaType.application("x-tika-ooxml-protected");

    private static final long PDF_MAIN_MEMORY = 32L * 1024 * 1024;

    private static final Set<MediaType> SUPPORTED = Set.of(
            MediaType.application("pdf"),
            MediaType.application("vnd.openxmlformats-officedocument.wordprocessingml.document"),
            MediaType.application("vnd.openxmlformats-officedocument.wordprocessingml.template"),
            MediaType.application("vnd.ms-word.document.macroenabled.12"),
            MediaType.application("vnd.openxmlformats-officedocument.presentationml.presentation"),
            MediaType.application("vnd.openxmlformats-officedocument.presentationml.template"),
            MediaType.application("vnd.ms-powerpoint.presentation.macroenabled.12"),
            MediaType.application("vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            MediaType.application("vnd.openxmlformats-officedocument.spreadsheetml.template"),
            MediaType.application("vnd.ms-excel.sheet.macroenabled.12"),
            MediaType.application("msword"),
            MediaType.application("vnd.ms-excel"),
            MediaType.application("vnd.ms-powerpoint"),
            MediaType.application("vnd.oasis.opendocument.text"),
            MediaType.application("vnd.oasis.opendocument.spreadsheet"),
            MediaType.application("vnd.oasis.opendocument.presentation"),
            MediaType.application("rtf"),
            MediaType.application("xhtml+xml"),
            MediaType.application("json"),
            MediaType.application("xml"),
            PROTECTED_OOXML);

    /** Tika's parsers, loaded once: a second or so. */
    private static final TikaConfig TIKA = tikaWithPoiLimits();

    private final long maxCharacters;
    private final ExtractionLimits limits;
    private final MemoryBudget memory;
    private final ParseFailures failures;
    private final AutoDetectParser parser;
    private final Detector detector;
    private final MediaTypeRegistry types;

    /**
     * Creates the extractor, loading Tika's parsers (a second or so, once per JVM).
     *
     * @param maxCharacters the most characters of text one document may have, at least 1 (callers use 10,000,000)
     * @throws IllegalArgumentException when {@code maxCharacters} is less than 1
     */
    public TextExtractor(long maxCharacters) {
        this(maxCharacters, ExtractionLimits.defaults());
    }

    /**
     * Creates the extractor with limits of its own. POI's JVM-wide ZIP limits stay at the defaults' values: this
     * extractor's own counting enforces its limits before POI reads a container.
     *
     * @param maxCharacters the most characters of text one document may have, at least 1
     * @param limits        how far extraction goes before it refuses a document
     * @throws IllegalArgumentException when {@code maxCharacters} is less than 1
     */
    public TextExtractor(long maxCharacters, ExtractionLimits limits) {
        if (maxCharacters < 1) {
            throw new IllegalArgumentException("maxCharacters must be at least 1, was " + maxCharacters);
        }
        this.maxCharacters = maxCharacters;
        this.limits = limits;
        this.memory = new MemoryBudget(limits.memoryBudgetBytes());
        this.failures = new ParseFailures(maxCharacters, limits);
        this.parser = new AutoDetectParser(TIKA);
        this.detector = parser.getDetector();
        this.types = TIKA.getMediaTypeRegistry();
    }

    /**
     * Loads Tika's parsers, then sets POI's ZIP limits. POI checks every entry it inflates itself, as it streams; its
     * limits are static, shared by everything in the JVM, so they are set once, to the default limits: an extractor
     * with limits of its own (tests) must not change them under another one that is parsing. An extractor's own
     * limits are enforced by its own counting ({@link ZipContainers#inspect}) before POI opens a container; POI's
     * are the backstop. After the parsers are loaded, because Tika's OOXML parser switches POI's ratio check off
     * ({@code setMinInflateRatio(-1)}) when its class is initialised.
     */
    private static TikaConfig tikaWithPoiLimits() {
        TikaConfig config = TikaConfig.getDefaultConfig();
        ExtractionLimits defaults = ExtractionLimits.defaults();
        ZipSecureFile.setMinInflateRatio(1.0 / defaults.maxCompressionRatio());
        ZipSecureFile.setGraceEntrySize(defaults.ratioGraceBytes());
        ZipSecureFile.setMaxEntrySize(defaults.maxEntryBytes());
        ZipSecureFile.setMaxFileCount(defaults.maxEntries());
        return config;
    }

    /**
     * Detects the media type of a document from its bytes alone, including the specific type of OOXML and
     * OpenDocument files. Reads a bounded prefix: at most 16 MiB of a ZIP container, whose entries are inflated only
     * as far as {@link ExtractionLimits#maxDetectionEntryBytes()}.
     *
     * @param content the document; read but not closed
     * @return the type without parameters, for example {@code application/pdf}, {@code text/plain} or
     *         {@code application/octet-stream} when nothing is recognised
     * @throws ExtractionException {@link ExtractionException#DECOMPRESSION_BOMB} when a ZIP entry read for detection
     *                             inflates beyond the limits
     * @throws IOException         when reading the stream fails
     */
    public String detect(InputStream content) throws IOException {
        try (TemporaryResources temporary = new TemporaryResources();
             TikaInputStream stream = open(content, temporary, new Metadata())) {
            return detect(stream);
        }
    }

    /** @return the limits this extractor enforces */
    public ExtractionLimits limits() {
        return limits;
    }

    /**
     * @param mediaType a type as {@link #detect} returns it (parameters are ignored)
     * @return whether {@link #extract} reads documents of this type
     */
    public boolean supports(String mediaType) {
        MediaType type = MediaType.parse(mediaType);
        if (type == null) {
            return false;
        }
        type = type.getBaseType();
        if (type.getType().equals("text") || SUPPORTED.contains(type)) {
            return true;
        }
        // Tika knows many dialects of text and XML (shell scripts, JavaScript, RSS, DocBook, ...): their text is
        // useful. Not so images drawn in XML (SVG), nor e-mail (message/rfc822), whose parts are other documents.
        return type.getType().equals("application")
                && (types.isSpecializationOf(type, MediaType.TEXT_PLAIN)
                || types.isSpecializationOf(type, MediaType.APPLICATION_XML));
    }

    /**
     * Extracts the plain text of a document. Text documents come back as they are, except that line breaks become
     * {@code \n}: Markdown stays Markdown, CSV stays CSV; their character set is detected from the content.
     *
     * @param content the document; read but not closed
     * @return its detected type and its text
     * @throws ExtractionException with a message for the uploader when the document is of a type Atrium does not
     *                             read, empty, encrypted, corrupt, has no text, or has more than the configured
     *                             number of characters of text
     * @throws IOException         when reading the stream fails
     */
    public ExtractedText extract(InputStream content) throws IOException {
        Metadata metadata = new Metadata();
        try (TemporaryResources temporary = new TemporaryResources();
             TikaInputStream stream = open(content, temporary, metadata)) {
            if (isEmpty(stream)) {
                throw new ExtractionException("The file is empty.", null);
            }
            // On disk, so that containers can be checked entry by entry and detection can read from the start again.
            File file = stream.getFile();
            String type = detect(stream);
            if (PROTECTED_OOXML.toString().equals(type)) {
                throw ParseFailures.encrypted(null);
            }
            if (!supports(type)) {
                throw new ExtractionException(type.equals(MediaType.OCTET_STREAM.toString())
                        ? "The file is not a document Atrium can read: its type could not be recognised."
                        : "The file is not a document Atrium can read (its type is " + type + ").", null);
            }
            // The type is known now; let the parser use it instead of detecting it a second time. This also keeps
            // CSV as it is: told "text/plain", Tika's text parser does not sniff for CSV and turn it into a table.
            metadata.set(TikaCoreProperties.CONTENT_TYPE_USER_OVERRIDE, type);
            // One character more than the cap: Tika's text parser appends a line break that is not in the file.
            int limit = (int) Math.min(maxCharacters, Integer.MAX_VALUE - 1) + 1;
            BodyContentHandler handler = new BodyContentHandler(limit);
            InflationGuard guard = new InflationGuard(limits);
            long size = Files.size(file.toPath());
            // Loading a PDF or a ZIP directory to inspect it takes memory too: the budget is taken before.
            int share = memory.acquire(2 * size);
            try {
                long held = inspect(file, type, guard);
                if (held > size) {
                    // Released before waiting for the larger share, so that no two extractions wait holding some.
                    memory.release(share);
                    share = 0;
                    share = memory.acquire(2 * held);
                }
                parser.parse(stream, handler, metadata, context(guard));
            } catch (EncryptedDocumentException e) {
                throw ParseFailures.encrypted(e);
            } catch (SAXException | TikaException | IOException | RuntimeException e) {
                throw failures.of(e, guard);
            } finally {
                memory.release(share);
            }
            guard.check();
            String text = handler.toString();
            if (parsedAsPlainText(metadata) && text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.length() > maxCharacters) {
                throw failures.tooLong(null);
            }
            text = normaliseLineBreaks(text);
            if (text.isBlank()) {
                throw new ExtractionException("The document contains no text. If it is scanned, run text "
                        + "recognition (OCR) on it and upload the result.", null);
            }
            return new ExtractedText(type, text);
        }
    }

    private String detect(TikaInputStream stream) throws IOException {
        byte[] prefix = new byte[4];
        stream.mark(prefix.length);
        int read;
        try {
            read = stream.readNBytes(prefix, 0, prefix.length);
        } finally {
            stream.reset();
        }
        if (ZipContainers.isZip(prefix, read)) {
            // Tika's ZIP detection inflates whole entries; this one counts every byte.
            if (stream.hasFile()) {
                try (InputStream in = Files.newInputStream(stream.getPath())) {
                    return ZipContainers.detect(in, limits).getBaseType().toString();
                }
            }
            return ZipContainers.detect(stream, limits).getBaseType().toString();
        }
        // No resource name in the metadata: the type comes from the bytes only.
        return detector.detect(stream, new Metadata()).getBaseType().toString();
    }

    /** Checks a container or PDF before it is parsed; returns the bytes its parser may hold at once, 0 if unknown. */
    private long inspect(File file, String type, InflationGuard guard) throws IOException {
        byte[] prefix = new byte[4];
        int read;
        try (InputStream in = Files.newInputStream(file.toPath())) {
            read = in.readNBytes(prefix, 0, prefix.length);
        }
        if (ZipContainers.isZip(prefix, read)) {
            return Math.max(0, ZipContainers.inspect(file, limits, guard));
        }
        if (type.equals("application/pdf")) {
            return PdfInspector.inspect(file, limits, guard);
        }
        return 0;
    }

    private static boolean isEmpty(TikaInputStream stream) throws IOException {
        stream.mark(1);
        try {
            return stream.read() < 0;
        } finally {
            stream.reset();
        }
    }

    /** Whether Tika's plain-text parser read the document: it returns the text as is, plus a final line break. */
    private static boolean parsedAsPlainText(Metadata metadata) {
        for (String parsedBy : metadata.getValues(TikaCoreProperties.TIKA_PARSED_BY)) {
            if (parsedBy.equals(TextAndCSVParser.class.getName()) || parsedBy.equals(TXTParser.class.getName())) {
                return true;
            }
        }
        return false;
    }

    private static TikaInputStream open(InputStream content, TemporaryResources temporary, Metadata metadata) {
        // Shielded, so that closing the TikaInputStream (which deletes its temporary files) leaves the caller's open.
        return TikaInputStream.get(CloseShieldInputStream.wrap(content), temporary, metadata);
    }

    private ParseContext context(InflationGuard guard) {
        ParseContext context = new ParseContext();
        // Embedded documents are parsed with this parser; without it, Tika would build a new one for every document.
        context.set(Parser.class, parser);
        context.set(EmbeddedDocumentExtractor.class, new LimitedEmbeddedExtractor(context, limits, guard));
        // Streaming SAX readers: POI's DOM of a large Word or PowerPoint part takes many times its size in heap.
        OfficeParserConfig office = new OfficeParserConfig();
        office.setUseSAXDocxExtractor(true);
        office.setUseSAXPptxExtractor(true);
        context.set(OfficeParserConfig.class, office);
        // No OCR even where Tesseract happens to be installed: minutes per page, and results we do not promise.
        TesseractOCRConfig ocr = new TesseractOCRConfig();
        ocr.setSkipOcr(true);
        context.set(TesseractOCRConfig.class, ocr);
        PDFParserConfig pdf = new PDFParserConfig();
        pdf.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
        // Decoded streams beyond this go to a temporary file instead of the heap.
        pdf.setMaxMainMemoryBytes(PDF_MAIN_MEMORY);
        context.set(PDFParserConfig.class, pdf);
        return context;
    }

    private static String normaliseLineBreaks(String text) {
        if (text.indexOf('\r') < 0) {
            return text;
        }
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }
}
