package org.atrium.knowledge.extraction;

import org.jspecify.annotations.Nullable;

/**
 * A document whose text cannot be extracted: encrypted, corrupt, of a type Atrium does not read, without any text, or
 * with more text than the cap. The message is a sentence meant for the person who uploaded the file (it never quotes
 * the document); the cause, when there is one, is for the logs.
 */
public class ExtractionException extends RuntimeException {

    /**
     * Creates the failure.
     *
     * @param message what is wrong with the document, readable by the person who uploaded it
     * @param cause   the underlying failure, or null when the check was Atrium's own
     */
    public ExtractionException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
