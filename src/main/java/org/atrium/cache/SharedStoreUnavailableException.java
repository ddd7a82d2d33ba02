package org.atrium.cache;

/** The shared store (Redis) could not be reached or answered with an error. */
final class SharedStoreUnavailableException extends RuntimeException {

    SharedStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
