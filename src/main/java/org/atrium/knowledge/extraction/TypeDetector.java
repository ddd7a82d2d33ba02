package org.atrium.knowledge.extraction;

import org.apache.tika.detect.Detector;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Optional;
import java.util.Set;

/**
 * The type of a document for {@link TextExtractor}: Tika's detection from the bytes (container-aware and counted for
 * ZIP files), weighed against the text type the client declared when the bytes are text, and which types Atrium
 * reads.
 */
final class TypeDetector {

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
            TextExtractor.PROTECTED_OOXML);

    /** Tika's supertype of news messages, e-mail and mailboxes, which it recognises by a header-like first line. */
    private static final MediaType TEXT_BASED_MESSAGE = MediaType.text("x-tika-text-based-message");

    private final Detector detector;
    private final MediaTypeRegistry types;
    private final ExtractionLimits limits;

    TypeDetector(Detector detector, MediaTypeRegistry types, ExtractionLimits limits) {
        this.detector = detector;
        this.types = types;
        this.limits = limits;
    }

    /**
     * @param mediaType a type as {@link #detect} returns it (parameters are ignored)
     * @return whether {@link TextExtractor#extract} reads documents of this type
     */
    boolean supports(String mediaType) {
        MediaType type = MediaType.parse(mediaType);
        if (type == null) {
            return false;
        }
        type = type.getBaseType();
        if (type.getType().equals("text") || SUPPORTED.contains(type)) {
            return true;
        }
        // Tika knows many dialects of text and XML (shell scripts, JavaScript, RSS, DocBook, ...): their text is
        // useful. Not so images drawn in XML (SVG), nor e-mail (message/rfc822) as such: detect() answers text/plain
        // for text that Tika takes for a message, and the text is indexed as it is.
        return type.getType().equals("application")
                && (types.isSpecializationOf(type, MediaType.TEXT_PLAIN)
                || types.isSpecializationOf(type, MediaType.APPLICATION_XML));
    }

    /**
     * The type of a document: see {@link TextExtractor#detect(InputStream, String, String)}.
     *
     * @param stream      the document, read from its start and reset to it
     * @param fileName    the client's name for it, or null
     * @param contentType the client's Content-Type for it, or null
     * @return the type without parameters
     */
    String detect(TikaInputStream stream, @Nullable String fileName, @Nullable String contentType)
            throws IOException {
        String sniffed = sniff(stream);
        MediaType type = MediaType.parse(sniffed);
        boolean unknown = type.equals(MediaType.OCTET_STREAM);
        boolean message = types.isSpecializationOf(type, TEXT_BASED_MESSAGE);
        if (!unknown && !type.equals(MediaType.TEXT_PLAIN) && !types.isSpecializationOf(type, MediaType.TEXT_PLAIN)) {
            return sniffed; // not text: PDF, Office, images, archives; a name never changes that
        }
        if (!type.equals(MediaType.TEXT_PLAIN) && supports(sniffed)) {
            return sniffed; // a specific type Atrium reads (HTML, XML, RTF, source code): its parser knows it best
        }
        Optional<String> declared = PlainText.declared(fileName, contentType);
        if (declared.isEmpty() && !unknown && !message) {
            return sniffed; // text/plain stays; SVG and other unsupported text formats stay refused
        }
        return isText(stream) ? declared.orElse(PlainText.TEXT_PLAIN) : sniffed;
    }

    /** Whether the first {@link TextEncoding#PREFIX_BYTES} of the stream are text in some character set. */
    private static boolean isText(TikaInputStream stream) throws IOException {
        byte[] prefix = new byte[TextEncoding.PREFIX_BYTES];
        stream.mark(prefix.length);
        int read;
        try {
            read = stream.readNBytes(prefix, 0, prefix.length);
        } finally {
            stream.reset();
        }
        return TextEncoding.detect(prefix, read).isPresent();
    }

    /** The type Tika sees in the bytes alone (never a name), counting what a ZIP container inflates. */
    private String sniff(TikaInputStream stream) throws IOException {
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
}
