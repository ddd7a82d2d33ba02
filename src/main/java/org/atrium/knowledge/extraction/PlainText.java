package org.atrium.knowledge.extraction;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plain text: the types Atrium reads as they are, without a parser (text, Markdown, CSV, TSV, JSON), the text type a
 * client declares for a file, and reading such a file in its character set ({@link TextEncoding}).
 */
final class PlainText {

    static final String TEXT_PLAIN = "text/plain";

    /** Read as they are: a parser would only take something away (Markdown's marks, CSV's commas). */
    private static final Set<String> TYPES = Set.of(TEXT_PLAIN, "text/markdown", "text/x-markdown",
            "text/x-web-markdown", "text/csv", "text/tab-separated-values", "application/json");

    /** The extensions that declare text, and the type a file so named is stored with when its bytes are text. */
    private static final Map<String, String> EXTENSIONS = Map.ofEntries(
            Map.entry("txt", TEXT_PLAIN), Map.entry("text", TEXT_PLAIN), Map.entry("log", TEXT_PLAIN),
            Map.entry("rst", TEXT_PLAIN), Map.entry("adoc", TEXT_PLAIN), Map.entry("asciidoc", TEXT_PLAIN),
            Map.entry("md", "text/markdown"), Map.entry("markdown", "text/markdown"), Map.entry("csv", "text/csv"),
            Map.entry("tsv", "text/tab-separated-values"), Map.entry("json", "application/json"));

    /**
     * Declared types that say nothing about being plain text: markup and rich text have parsers of their own, chosen
     * by their content.
     */
    private static final Set<String> NOT_PLAIN = Set.of("text/html", "text/xml", "text/rtf", "text/richtext",
            "text/enriched", "text/sgml");

    private PlainText() {
    }

    /** Whether documents of this type (without parameters) are read by {@link #read}, not by a Tika parser. */
    static boolean handles(String type) {
        return TYPES.contains(type);
    }

    /**
     * The plain text type a client declared for a file, if it declared one: by its name's extension ({@code .txt},
     * {@code .text}, {@code .log}, {@code .rst}, {@code .adoc}, {@code .asciidoc}, {@code .md}, {@code .markdown},
     * {@code .csv}, {@code .tsv}, {@code .json}), else by the Content-Type of its part ({@code text/*} other than
     * HTML, XML and rich text, or {@code application/json}); any other {@code text/*} counts as {@code text/plain}.
     *
     * @param fileName    the client's name for the file, or null
     * @param contentType the client's Content-Type for it, or null
     * @return the type to store the file with when its bytes are text
     */
    static Optional<String> declared(@Nullable String fileName, @Nullable String contentType) {
        if (fileName != null) {
            int dot = fileName.lastIndexOf('.');
            if (dot >= 0 && dot > Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'))) {
                String type = EXTENSIONS.get(fileName.substring(dot + 1).strip().toLowerCase(Locale.ROOT));
                if (type != null) {
                    return Optional.of(type);
                }
            }
        }
        if (contentType == null) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip()
                .toLowerCase(Locale.ROOT);
        if (type.equals("text/x-markdown")) {
            return Optional.of("text/markdown");
        }
        if (TYPES.contains(type)) {
            return Optional.of(type);
        }
        if (type.startsWith("text/") && type.length() > 5 && !NOT_PLAIN.contains(type)) {
            return Optional.of(TEXT_PLAIN);
        }
        return Optional.empty();
    }

    /**
     * Reads a whole text document in the character set its first {@link TextEncoding#PREFIX_BYTES} show; bytes that
     * do not decode become U+FFFD. A byte order mark is not part of the text.
     *
     * @param content the document, supporting {@code mark} for {@link TextEncoding#PREFIX_BYTES} bytes; read to the
     *                end (or to the limit) but not closed
     * @param limit   the most characters to read: a longer document comes back with {@code limit + 1} characters
     * @return the text, line breaks as they are
     * @throws IOException when reading fails
     */
    static String read(InputStream content, int limit) throws IOException {
        byte[] prefix = new byte[TextEncoding.PREFIX_BYTES];
        content.mark(prefix.length);
        int n;
        try {
            n = content.readNBytes(prefix, 0, prefix.length);
        } finally {
            content.reset();
        }
        Charset charset = TextEncoding.guess(prefix, n);
        Reader reader = new InputStreamReader(content, charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[8192];
        // One more for the byte order mark, which Java's UTF-8 and UTF-16LE/BE decoders keep as U+FEFF.
        long wanted = (long) limit + 2;
        int read;
        while (text.length() < wanted && (read = reader.read(buffer, 0,
                (int) Math.min(buffer.length, wanted - text.length()))) >= 0) {
            text.append(buffer, 0, read);
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text.deleteCharAt(0);
        }
        if (text.length() > limit) {
            text.setLength(limit + 1);
        }
        return text.toString();
    }
}
