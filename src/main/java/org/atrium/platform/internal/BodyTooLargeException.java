package org.atrium.platform.internal;

import java.io.IOException;

/**
 * Thrown by a request body stream once more bytes arrived than the request's limit. It is an {@link IOException}
 * so that every reader (Jackson, the multipart parser) gives up at once; {@link ProblemDetailsAdvice} finds it in
 * the cause chain and answers {@code 413 payload_too_large}.
 */
final class BodyTooLargeException extends IOException {

    private final long limit;

    BodyTooLargeException(long limit) {
        super("The request body is larger than " + limit + " bytes.");
        this.limit = limit;
    }

    /** @return the limit that was exceeded, in bytes */
    long limit() {
        return limit;
    }
}
