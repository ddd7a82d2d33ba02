package org.atrium.providers;

import org.jspecify.annotations.Nullable;

/**
 * Why embedding failed, in words a user can act on, never containing the secret. The message names the connection,
 * the provider's own explanation where it gave one (shortened, with the secret blanked out should it echo it) and
 * what to do.
 */
public class EmbeddingFailure extends RuntimeException {

    private final boolean retryable;
    private final @Nullable Integer httpStatus;

    /**
     * Creates the failure.
     *
     * @param message    the sentence for people; must not contain a secret
     * @param retryable  whether the last failure was transient
     * @param httpStatus the provider's last HTTP status, if it answered at all
     */
    public EmbeddingFailure(String message, boolean retryable, @Nullable Integer httpStatus) {
        this(message, retryable, httpStatus, null);
    }

    /**
     * Creates the failure with its cause (a connection or timeout exception; never one that carries the secret).
     *
     * @param message    the sentence for people; must not contain a secret
     * @param retryable  whether the last failure was transient
     * @param httpStatus the provider's last HTTP status, if it answered at all
     * @param cause      the underlying exception, if any
     */
    public EmbeddingFailure(String message, boolean retryable, @Nullable Integer httpStatus,
                            @Nullable Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.httpStatus = httpStatus;
    }

    /**
     * @return true when the last failure was transient (rate limit, server error, timeout, unreachable), so a job may
     *         try again later; false when repeating the same call cannot succeed until someone changes something
     *         (credential, model name, configuration, input)
     */
    public boolean retryable() {
        return retryable;
    }

    /** @return the provider's last HTTP status; null when it never answered or the call was not remote */
    public @Nullable Integer httpStatus() {
        return httpStatus;
    }
}
