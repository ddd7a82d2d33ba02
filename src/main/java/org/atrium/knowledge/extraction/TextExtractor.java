package org.atrium.knowledge.extraction;

import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.tika.config.TikaConfig;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.extractor.EmbeddedDocumentExtractor;
import org.apache.tika.io.TemporaryResources;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.csv.TextAndCSVParser;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.parser.txt.TXTParser;
import org.apache.tika.sax.BodyContentHandler;
import org.jspecify.annotations.Nullable;
import org.xml.sax.SAXException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;

/**
 * Detects the type of a document from its content and extracts its text, with Apache Tika.
 *
 * <p>The type comes from the bytes. A name or Content-Type the client declared counts only among text: when the
 * bytes are text and Tika found no more specific type Atrium reads, a declared text type ({@code .txt}, {@code .md},
 * {@code .csv}, {@code text/*}, ...; see {@link #detect(InputStream, String, String)}) is taken, so a PDF called
 * {@code notes.txt} is still a PDF, while prose that Tika takes for a news message or e-mail because of its first
 * word ("Article", "Path:", "Date:") is text. Text in any character set Tika's ICU detector knows is read
 * ({@link TextEncoding}). Supported are PDF, Word, PowerPoint and Excel (OOXML and the legacy binary formats),
 * OpenDocument text, spreadsheets and presentations, RTF, HTML and XHTML, XML, JSON and any text. The text of
 * embedded documents (attachments, embedded spreadsheets) is included; images are not read (no OCR: a scanned PDF
 * has no text).
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
    static final MediaType PROTECTED_OOXML = MediaType.application("x-tika-ooxml-protected");

    private static final long PDF_MAIN_MEMORY = 32L * 1024 * 1024;

    /** Tika's parsers, loaded once: a second or so. */
    private static final TikaConfig TIKA = tikaWithPoiLimits();

    private final long maxCharacters;
    private final ExtractionLimits limits;
    private final MemoryBudget memory;
    private final ParseFailures failures;
    private final AutoDetectParser parser;
    private final TypeDetector types;

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
        this.types = new TypeDetector(parser.getDetector(), TIKA.getMediaTypeRegistry(), limits);
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
     * Detects the media type of a document from its bytes alone, as {@link #detect(InputStream, String, String)}
     * does when the client declared nothing.
     *
     * @param content the document; read but not closed
     * @return the type without parameters, for example {@code application/pdf}, {@code text/plain} or
     *         {@code application/octet-stream} when nothing is recognised
     * @throws ExtractionException {@link ExtractionException#DECOMPRESSION_BOMB} when a ZIP entry read for detection
     *                             inflates beyond the limits
     * @throws IOException         when reading the stream fails
     */
    public String detect(InputStream content) throws IOException {
        return detect(content, null, null);
    }

    /**
     * Detects the media type of a document from its bytes, including the specific type of OOXML and OpenDocument
     * files, and takes the client's declaration where the bytes leave a choice among text:
     * <ul>
     *   <li>a type Tika recognises that is not text (PDF, Office, images, archives) is the answer, whatever the name;
     *   </li>
     *   <li>so is a specific text type Atrium reads (HTML, XML, RTF, source code);</li>
     *   <li>otherwise, when the bytes are text in some character set ({@link TextEncoding}), the declared plain text
     *       type ({@code .txt}, {@code .md}, {@code .csv}, {@code .tsv}, {@code .json}, ... or a {@code text/*}
     *       Content-Type; {@link PlainText#declared}), else {@code text/plain} for what Tika calls a news message
     *       or an e-mail (text whose first line looks like a header) or did not recognise at all (text in a legacy
     *       character set, UTF-16 without a byte order mark);</li>
     *   <li>anything else keeps Tika's type: binary data stays {@code application/octet-stream}, SVG stays
     *       {@code image/svg+xml}.</li>
     * </ul>
     * Reads a bounded prefix: {@link TextEncoding#PREFIX_BYTES} to tell text, and at most 16 MiB of a ZIP container,
     * whose entries are inflated only as far as {@link ExtractionLimits#maxDetectionEntryBytes()}.
     *
     * @param content     the document; read but not closed
     * @param fileName    the client's name for the file (only its extension is used), or null
     * @param contentType the client's Content-Type for it, or null
     * @return the type without parameters, for example {@code application/pdf}, {@code text/plain},
     *         {@code text/markdown} or {@code application/octet-stream} when nothing is recognised
     * @throws ExtractionException {@link ExtractionException#DECOMPRESSION_BOMB} when a ZIP entry read for detection
     *                             inflates beyond the limits
     * @throws IOException         when reading the stream fails
     */
    public String detect(InputStream content, @Nullable String fileName, @Nullable String contentType)
            throws IOException {
        try (TemporaryResources temporary = new TemporaryResources();
             TikaInputStream stream = open(content, temporary, new Metadata())) {
            return types.detect(stream, fileName, contentType);
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
        return types.supports(mediaType);
    }

    /**
     * Extracts the plain text of a document whose type is detected from its bytes alone; see
     * {@link #extract(InputStream, String)}.
     */
    public ExtractedText extract(InputStream content) throws IOException {
        return extract(content, null);
    }

    /**
     * Extracts the plain text of a document. Text documents come back as they are, except that line breaks become
     * {@code \n} and a byte order mark is dropped: Markdown stays Markdown, CSV stays CSV; their character set is
     * detected from their first {@link TextEncoding#PREFIX_BYTES}.
     *
     * @param content   the document; read but not closed
     * @param mediaType the type {@link #detect(InputStream, String, String)} gave the document at upload (it may
     *                  depend on the declared name, which is not repeated here), or null to detect it from the bytes
     * @return its type and its text
     * @throws ExtractionException with a message for the uploader when the document is of a type Atrium does not
     *                             read, empty, encrypted, corrupt, has no text, or has more than the configured
     *                             number of characters of text
     * @throws IOException         when reading the stream fails
     */
    public ExtractedText extract(InputStream content, @Nullable String mediaType) throws IOException {
        Metadata metadata = new Metadata();
        try (TemporaryResources temporary = new TemporaryResources();
             TikaInputStream stream = open(content, temporary, metadata)) {
            if (isEmpty(stream)) {
                throw new ExtractionException("The file is empty.", null);
            }
            // On disk, so that containers can be checked entry by entry and detection can read from the start again.
            File file = stream.getFile();
            String type = mediaType == null ? types.detect(stream, null, null) : baseType(mediaType);
            if (PROTECTED_OOXML.toString().equals(type)) {
                throw ParseFailures.encrypted(null);
            }
            if (!supports(type)) {
                throw new ExtractionException(type.equals(MediaType.OCTET_STREAM.toString())
                        ? "The file is not a document Atrium can read: its type could not be recognised."
                        : "The file is not a document Atrium can read (its type is " + type + ").", null);
            }
            String text = PlainText.handles(type) ? readText(stream, file) : parse(stream, file, type, metadata);
            if (text.length() > maxCharacters) {
                throw failures.tooLong(null);
            }
            text = normaliseLineBreaks(text);
            if (text.indexOf('\u0000') >= 0) {
                // PostgreSQL's text cannot hold NUL; a stray one in a text file becomes the replacement character.
                text = text.replace('\u0000', '\uFFFD');
            }
            if (text.isBlank()) {
                throw new ExtractionException("The document contains no text. If it is scanned, run text "
                        + "recognition (OCR) on it and upload the result.", null);
            }
            return new ExtractedText(type, text);
        }
    }

    /** Reads a plain text document in its character set, within the memory budget. */
    private String readText(TikaInputStream stream, File file) throws IOException {
        int share = memory.acquire(2 * Files.size(file.toPath()));
        try {
            return PlainText.read(stream, (int) Math.min(maxCharacters, Integer.MAX_VALUE - 1));
        } finally {
            memory.release(share);
        }
    }

    /** Parses a document with Tika after checking it; returns its text, over the cap by at most one character. */
    private String parse(TikaInputStream stream, File file, String type, Metadata metadata) throws IOException {
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
        return text;
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

    private static String baseType(String mediaType) {
        MediaType type = MediaType.parse(mediaType);
        return type == null ? mediaType : type.getBaseType().toString();
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
