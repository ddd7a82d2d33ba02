package org.atrium.accounts;

import org.atrium.platform.AtriumException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import java.time.Duration;
import java.util.Map;

/**
 * Sign-in refused because the e-mail address or the client address is locked after too many attempts
 * ({@code 429 too_many_attempts}), with {@code Retry-After} in whole seconds among its {@link #headers()}.
 */
public class TooManyAttemptsException extends AtriumException {

    TooManyAttemptsException(Duration wait) {
        super(HttpStatus.TOO_MANY_REQUESTS, "too_many_attempts",
                "Too many sign-in attempts. Wait before trying again; the Retry-After header says how long.",
                Map.of(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(wait))));
    }
}
