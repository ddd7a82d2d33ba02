package org.atrium.providers;

import org.atrium.platform.AtriumException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import java.time.Duration;
import java.util.Map;

/**
 * Why a chat or model-listing call to a provider failed: a stable {@link #code() code}, the HTTP status Atrium
 * should answer its own client with ({@link #status()}), and a sentence that names the connection and quotes the
 * provider's explanation (whitespace collapsed, at most 300 characters, the credential blanked out should the provider
 * echo it). It is an {@link AtriumException}, so thrown from a controller it becomes a problem detail as is.
 */
public class ProviderFailure extends AtriumException {

    /** The provider could not be reached, dropped the connection or answered 5xx (502). */
    public static final String UNAVAILABLE = "provider_unavailable";
    /** A timeout of the call's {@link CallTimeouts} expired (504). */
    public static final String TIMEOUT = "provider_timeout";
    /** The provider answered 429 (429, with {@code Retry-After} when it said how long to wait). */
    public static final String RATE_LIMITED = "provider_rate_limited";
    /** The provider refused the request: unknown model, bad parameter, content too long (400). */
    public static final String REJECTED = "provider_rejected";
    /** The provider refused the credential, 401 or 403 (502: Atrium's own client is not at fault). */
    public static final String AUTH_FAILED = "provider_auth_failed";
    /** The answer could not be understood or exceeded Atrium's limits (502). */
    public static final String INVALID_RESPONSE = "provider_invalid_response";
    /** The connection needs a credential and none applies, or it cannot be sent in a header (400). */
    public static final String CREDENTIAL_MISSING = "provider_credential_missing";
    /** The request uses something this kind of provider cannot take, such as an image URL for Ollama (400). */
    public static final String UNSUPPORTED = "provider_unsupported";
    /** The connection kept failing and calls are refused for a while without trying (503, with Retry-After). */
    public static final String CIRCUIT_OPEN = "circuit_open";
    /** The caller cancelled the call; never meant for a client, which asked for it (503). */
    public static final String CANCELLED = "provider_cancelled";

    private final String connection;
    private final @Nullable Integer providerStatus;
    private final @Nullable Duration retryAfter;

    /**
     * Creates the failure.
     *
     * @param code           one of the constants of this class
     * @param status         the status Atrium answers with
     * @param connection     the connection's name
     * @param message        the sentence for people; must not contain a secret
     * @param providerStatus the provider's HTTP status, when it answered
     * @param retryAfter     how long to wait before trying again, when known (sent as {@code Retry-After})
     * @param cause          the underlying exception, never one carrying the secret
     */
    public ProviderFailure(String code, HttpStatus status, String connection, String message,
                           @Nullable Integer providerStatus, @Nullable Duration retryAfter, @Nullable Throwable cause) {
        super(status, code, message, retryAfter == null ? Map.of()
                : Map.of(HttpHeaders.RETRY_AFTER, Long.toString(AtriumException.retryAfterSeconds(retryAfter))));
        if (cause != null) {
            initCause(cause);
        }
        this.connection = connection;
        this.providerStatus = providerStatus;
        this.retryAfter = retryAfter;
    }

    /** @return the connection's name */
    public String connection() {
        return connection;
    }

    /** @return the provider's HTTP status; null when it never answered */
    public @Nullable Integer providerStatus() {
        return providerStatus;
    }

    /** @return how long the provider (or the circuit breaker) asked to wait, if known */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /**
     * @return true when trying again later may succeed (unavailable, timeout, rate limited, circuit open); false when
     *         someone must change something first (credential, model, request)
     */
    public boolean retryable() {
        return switch (code()) {
            case UNAVAILABLE, TIMEOUT, RATE_LIMITED, CIRCUIT_OPEN -> true;
            default -> false;
        };
    }
}
