package org.atrium.providers.internal;

import org.atrium.providers.EmbeddingFailure;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.List;

/** How one request to a provider ended. */
sealed interface Attempt {

    /** Usable vectors. */
    record Success(List<float[]> vectors) implements Attempt {
    }

    /**
     * A failure that another attempt may not repeat: 429, 5xx, a timeout or a connection failure.
     *
     * @param reason     for logs: {@code http_status}, {@code timeout} or {@code connection_failed}
     * @param status     the HTTP status, when the provider answered
     * @param retryAfter the wait the provider asked for
     * @param detail     the provider's explanation or the exception's, redacted; may be empty
     * @param cause      the exception, when there was no answer
     */
    record Transient(String reason, @Nullable Integer status, @Nullable Duration retryAfter, String detail,
                     @Nullable Throwable cause) implements Attempt {
    }

    /** A failure that repeating the same request cannot fix. */
    record Permanent(EmbeddingFailure failure) implements Attempt {
    }
}
