package org.atrium.platform;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import java.time.Duration;
import java.util.Map;

/**
 * A failure the caller can act on. It reaches HTTP clients as an RFC 9457 problem detail whose {@code code} is
 * stable (clients may branch on it) and whose {@code detail} is a sentence for people, with the response headers the
 * failure carries (such as {@code Retry-After}).
 */
public class AtriumException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final @Nullable String field;
    private final Map<String, String> headers;

    /**
     * Creates the failure.
     *
     * @param status the HTTP status it maps to
     * @param code   the stable, snake_case code, for example {@code email_taken}
     * @param detail what went wrong and, where it helps, what to do
     */
    public AtriumException(HttpStatus status, String code, String detail) {
        this(status, code, detail, null, Map.of());
    }

    /**
     * Creates the failure with response headers.
     *
     * @param status  the HTTP status it maps to
     * @param code    the stable, snake_case code
     * @param detail  what went wrong and, where it helps, what to do
     * @param headers headers the response carries, for example {@code Retry-After}
     */
    public AtriumException(HttpStatus status, String code, String detail, Map<String, String> headers) {
        this(status, code, detail, null, headers);
    }

    private AtriumException(HttpStatus status, String code, String detail, @Nullable String field,
                            Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.code = code;
        this.field = field;
        this.headers = Map.copyOf(headers);
    }

    /** @return the HTTP status this failure maps to */
    public HttpStatus status() {
        return status;
    }

    /** @return the stable code */
    public String code() {
        return code;
    }

    /** @return the headers the response carries, empty for most failures */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return the request field at fault, for validation failures found past bean validation */
    public @Nullable String field() {
        return field;
    }

    /**
     * A request field whose value is not acceptable, found by a check that bean validation cannot express. Answered
     * like any validation failure: {@code validation_failed} with the field named.
     *
     * @param field   the field's name as the client sent it
     * @param message what is wrong with it
     * @return the failure
     */
    public static AtriumException invalidField(String field, String message) {
        return new AtriumException(HttpStatus.BAD_REQUEST, "validation_failed", message, field, Map.of());
    }

    /**
     * A resource that does not exist or that the caller may not see.
     *
     * @param code   the stable code
     * @param detail the sentence for people
     * @return the failure
     */
    public static AtriumException notFound(String code, String detail) {
        return new AtriumException(HttpStatus.NOT_FOUND, code, detail);
    }

    /**
     * An operation the caller is not allowed to perform.
     *
     * @param code   the stable code
     * @param detail the sentence for people
     * @return the failure
     */
    public static AtriumException forbidden(String code, String detail) {
        return new AtriumException(HttpStatus.FORBIDDEN, code, detail);
    }

    /**
     * A request that contradicts the current state.
     *
     * @param code   the stable code
     * @param detail the sentence for people
     * @return the failure
     */
    public static AtriumException conflict(String code, String detail) {
        return new AtriumException(HttpStatus.CONFLICT, code, detail);
    }

    /**
     * A request that is well-formed but not acceptable.
     *
     * @param code   the stable code
     * @param detail the sentence for people
     * @return the failure
     */
    public static AtriumException badRequest(String code, String detail) {
        return new AtriumException(HttpStatus.BAD_REQUEST, code, detail);
    }

    /**
     * A request refused until the caller waits: {@code 429} with {@code Retry-After} in whole seconds (rounded up, at
     * least 1).
     *
     * @param code       the stable code
     * @param detail     the sentence for people
     * @param retryAfter how long the caller must wait
     * @return the failure
     */
    public static AtriumException tooManyRequests(String code, String detail, Duration retryAfter) {
        return new AtriumException(HttpStatus.TOO_MANY_REQUESTS, code, detail,
                Map.of(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(retryAfter))));
    }

    /**
     * @param wait how long a caller must wait
     * @return the wait as a {@code Retry-After} value: whole seconds, rounded up, at least 1
     */
    public static long retryAfterSeconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
