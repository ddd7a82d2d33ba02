package org.atrium.knowledge.extraction;

import org.jspecify.annotations.Nullable;

/**
 * A document whose text cannot be extracted: encrypted, corrupt, of a type Atrium does not read, without any text,
 * with more text than the cap, or beyond the {@link ExtractionLimits} (a decompression bomb, too many pages). The
 * message is a sentence meant for the person who uploaded the file (it never quotes the document); the code is a
 * stable name for the kind of failure; the cause, when there is one, is for the logs. Retrying never helps.
 */
public class ExtractionException extends RuntimeException {

    /** The document cannot be read: corrupt, encrypted, unsupported, empty, without text or with too much text. */
    public static final String EXTRACTION_FAILED = "extraction_failed";

    /** A compressed part inflates beyond a limit (size, ratio, entry count, nested archives): a decompression bomb. */
    public static final String DECOMPRESSION_BOMB = "decompression_bomb";

    /** The document's structure is beyond a limit that is not about compression (pages, PDF objects, nesting). */
    public static final String DOCUMENT_TOO_COMPLEX = "document_too_complex";

    private final String code;

    /**
     * Creates a failure with the code {@value #EXTRACTION_FAILED}.
     *
     * @param message what is wrong with the document, readable by the person who uploaded it
     * @param cause   the underlying failure, or null when the check was Atrium's own
     */
    public ExtractionException(String message, @Nullable Throwable cause) {
        this(EXTRACTION_FAILED, message, cause);
    }

    /**
     * Creates a failure with a code of its own.
     *
     * @param code    one of the codes declared here
     * @param message what is wrong with the document, readable by the person who uploaded it
     * @param cause   the underlying failure, or null when the check was Atrium's own
     */
    public ExtractionException(String code, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** @return the stable code of this kind of failure, for example {@value #DECOMPRESSION_BOMB} */
    public String code() {
        return code;
    }
}
