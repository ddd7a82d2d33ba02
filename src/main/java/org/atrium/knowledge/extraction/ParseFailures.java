package org.atrium.knowledge.extraction;

import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.jspecify.annotations.Nullable;
import org.xml.sax.SAXException;

import java.io.IOException;

/** Turns what a parser threw into the {@link ExtractionException} the uploader reads. */
final class ParseFailures {

    private final long maxCharacters;
    private final ExtractionLimits limits;

    ParseFailures(long maxCharacters, ExtractionLimits limits) {
        this.maxCharacters = maxCharacters;
        this.limits = limits;
    }

    /**
     * What a parse failure means for the uploader: a crossed limit first, whatever a parser made of it; a failure to
     * read the stored bytes and a bug stay what they are.
     */
    ExtractionException of(Exception e, InflationGuard guard) throws IOException {
        guard.check();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InflationGuard.LimitExceeded exceeded) {
                return exceeded.failure();
            }
            String message = String.valueOf(cause.getMessage());
            // The JDK's XML limits (jdk.xml.maxElementDepth, entity expansion) and Tika's SecureContentHandler
            // (XHTML or package entries nested deeper than it allows).
            if (cause instanceof StackOverflowError || message.contains("jdk.xml.")
                    || message.contains("Suspected zip bomb") && message.contains("nesting")) {
                return new ExtractionException(ExtractionException.DOCUMENT_TOO_COMPLEX, "The document is nested "
                        + "too deeply to read.", e);
            }
            // POI's own ZIP limits (set to ours) and Tika's check of the text's size against the document's.
            if (message.contains("Zip bomb detected") || message.contains("Suspected zip bomb")) {
                return new ExtractionException(ExtractionException.DECOMPRESSION_BOMB, "A compressed part of the "
                        + "document inflates more than %d times, which only a decompression bomb does."
                        .formatted(limits.maxCompressionRatio()), e);
            }
        }
        if (e instanceof ExtractionException extraction) {
            return extraction;
        }
        if (e instanceof SAXException || e instanceof TikaException) {
            if (WriteLimitReachedException.isWriteLimitReached(e)) {
                return tooLong(e);
            }
            if (isEncrypted(e)) {
                return encrypted(e);
            }
            return new ExtractionException("The document could not be read; it may be damaged or incomplete.", e);
        }
        if (e instanceof IOException io) {
            throw io;
        }
        throw (RuntimeException) e;
    }

    ExtractionException tooLong(@Nullable Throwable cause) {
        return new ExtractionException("The document has more than %,d characters of text, the most Atrium reads "
                .formatted(maxCharacters) + "from one file. Split it into smaller files.", cause);
    }

    private static boolean isEncrypted(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof EncryptedDocumentException
                    || cause instanceof org.apache.poi.EncryptedDocumentException) {
                return true;
            }
        }
        return false;
    }

    static ExtractionException encrypted(@Nullable Throwable cause) {
        return new ExtractionException("The document is protected with a password. Remove the password and upload "
                + "it again.", cause);
    }
}
