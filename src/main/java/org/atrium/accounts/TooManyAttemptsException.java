package org.atrium.accounts;

import org.atrium.platform.AtriumException;
import org.springframework.http.HttpStatus;

import java.time.Duration;

/**
 * Sign-in refused because the e-mail address or the client address is locked after too many attempts
 * ({@code 429 too_many_attempts}). HTTP adapters send {@link #retryAfterSeconds()} as {@code Retry-After}.
 */
public class TooManyAttemptsException extends AtriumException {

    private final long retryAfterSeconds;

    TooManyAttemptsException(Duration wait) {
        super(HttpStatus.TOO_MANY_REQUESTS, "too_many_attempts",
                "Too many sign-in attempts. Wait before trying again; the Retry-After header says how long.");
        this.retryAfterSeconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    /** @return whole seconds until the next attempt can be accepted, at least 1 */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
