package org.atrium.providers.internal;

import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * Builds {@link ProviderFailure}s with their wording: what happened, the provider's own explanation (redacted and
 * bounded by {@link ProviderErrors}) and who can do what about it. Nothing here puts the secret in a message.
 */
public final class ProviderFailures {

    private ProviderFailures() {
    }

    /**
     * A non-2xx answer.
     *
     * @param endpoint   the endpoint called
     * @param what       what was asked, for the sentence ({@code "listing models"}, {@code "model 'x'"})
     * @param status     the provider's status
     * @param body       the error body (bounded by the caller)
     * @param json       to parse it
     * @param secret     redacted from the explanation
     * @param retryAfter what the provider asked to wait, if anything
     * @return the failure
     */
    public static ProviderFailure forStatus(ProviderEndpoint endpoint, String what, int status, byte[] body,
                                            JsonMapper json, @Nullable String secret, @Nullable Duration retryAfter) {
        String said = " (" + ProviderErrors.status(status) + ")"
                + ProviderErrors.quoted(ProviderErrors.providerMessage(body, json, secret));
        String who = who(endpoint);
        String name = endpoint.name();
        if (status == 401 || status == 403) {
            return new ProviderFailure(ProviderFailure.AUTH_FAILED, HttpStatus.BAD_GATEWAY, name, who
                    + " refused the credential" + said + ". Check the API key or virtual key used for connection '"
                    + name + "'.", status, null, null);
        }
        if (status == 429) {
            return new ProviderFailure(ProviderFailure.RATE_LIMITED, HttpStatus.TOO_MANY_REQUESTS, name, who
                    + " is limiting requests" + said + ". Try again later.", status, retryAfter, null);
        }
        if (status >= 500) {
            return new ProviderFailure(ProviderFailure.UNAVAILABLE, HttpStatus.BAD_GATEWAY, name, who
                    + " failed" + said + ". Try again later.", status, retryAfter, null);
        }
        if (status >= 300 && status < 400) {
            return new ProviderFailure(ProviderFailure.REJECTED, HttpStatus.BAD_GATEWAY, name, who
                    + " redirected the request" + said + "; set the base URL of connection '" + name
                    + "' to the final address.", status, null, null);
        }
        return new ProviderFailure(ProviderFailure.REJECTED, HttpStatus.BAD_REQUEST, name, who + " rejected "
                + what + said + ".", status, null, null);
    }

    /**
     * No answer: the connection could not be made or broke before a response.
     *
     * @param endpoint the endpoint called
     * @param failure  the exception
     * @param secret   redacted from the exception's text
     * @return the failure
     */
    public static ProviderFailure unreachable(ProviderEndpoint endpoint, IOException failure,
                                              @Nullable String secret) {
        URI base = endpoint.connection().baseUrl();
        return new ProviderFailure(ProviderFailure.UNAVAILABLE, HttpStatus.BAD_GATEWAY, endpoint.name(),
                "Could not reach the provider '" + endpoint.name() + "' at " + base + " (" + describe(failure, secret)
                        + "). Check that it is running and that the connection's base URL is right.", null, null,
                failure);
    }

    /**
     * The connection broke, or the stream ended without its end marker, after the answer had started.
     *
     * @param endpoint the endpoint called
     * @param detail   what was observed
     * @return the failure
     */
    public static ProviderFailure dropped(ProviderEndpoint endpoint, String detail) {
        return new ProviderFailure(ProviderFailure.UNAVAILABLE, HttpStatus.BAD_GATEWAY, endpoint.name(),
                who(endpoint) + " " + detail + ". Try again.", null, null, null);
    }

    /**
     * @param endpoint the endpoint called
     * @param phase    which limit ran out, for the sentence ({@code "to connect"}, {@code "to the first token"})
     * @param limit    its value
     * @return the failure
     */
    public static ProviderFailure timeout(ProviderEndpoint endpoint, String phase, @Nullable Duration limit) {
        return new ProviderFailure(ProviderFailure.TIMEOUT, HttpStatus.GATEWAY_TIMEOUT, endpoint.name(),
                who(endpoint) + " took longer than " + (limit == null ? "allowed" : EmbeddingMessages.readable(limit))
                        + " " + phase
                        + ". Try again, or ask an admin to raise the timeouts of connection '" + endpoint.name()
                        + "'.", null, null, null);
    }

    /**
     * @param endpoint the endpoint called
     * @param failure  why no response was read
     * @return the failure when the response's head was malformed or beyond the client's limits (a header line too
     *         long, too many headers), which no retry mends; null for any other cause
     */
    static @Nullable ProviderFailure unusableHead(ProviderEndpoint endpoint, IOException failure) {
        if (failure instanceof MessageConstraintException || failure instanceof ClientProtocolException) {
            return invalid(endpoint, "the head of its response is malformed or too large ("
                    + failure.getMessage() + ")");
        }
        return null;
    }

    /**
     * @param endpoint the endpoint called
     * @param problem  what is wrong with the answer (no provider content)
     * @return the failure
     */
    public static ProviderFailure invalid(ProviderEndpoint endpoint, String problem) {
        return new ProviderFailure(ProviderFailure.INVALID_RESPONSE, HttpStatus.BAD_GATEWAY, endpoint.name(),
                who(endpoint) + " answered with something Atrium cannot use: " + problem + ". Check that connection '"
                        + endpoint.name() + "' points at " + kind(endpoint) + ".", null, null, null);
    }

    /**
     * An error the provider reported inside a stream it had started with 200.
     *
     * @param endpoint the endpoint called
     * @param code     the failure code the error's type maps to
     * @param message  the provider's explanation, already redacted and bounded
     * @return the failure
     */
    public static ProviderFailure inStream(ProviderEndpoint endpoint, String code, String message) {
        HttpStatus status = switch (code) {
            case ProviderFailure.RATE_LIMITED -> HttpStatus.TOO_MANY_REQUESTS;
            case ProviderFailure.REJECTED -> HttpStatus.BAD_REQUEST;
            default -> HttpStatus.BAD_GATEWAY;
        };
        return new ProviderFailure(code, status, endpoint.name(), who(endpoint) + " reported an error while answering"
                + ProviderErrors.quoted(message) + ".", null, null, null);
    }

    /**
     * @param endpoint the endpoint
     * @param problem  why the request cannot be sent to this kind of provider
     * @return an {@link ProviderFailure#UNSUPPORTED} failure
     */
    public static ProviderFailure unsupported(ProviderEndpoint endpoint, String problem) {
        return new ProviderFailure(ProviderFailure.UNSUPPORTED, HttpStatus.BAD_REQUEST, endpoint.name(),
                "Connection '" + endpoint.name() + "' (" + kind(endpoint) + ") cannot take this request: " + problem
                        + ".", null, null, null);
    }

    /**
     * Checks the credential and drops surrounding whitespace (pasted keys often carry a trailing newline).
     *
     * @param endpoint the endpoint
     * @param secret   the credential, if any
     * @return the credential to send, or null
     * @throws ProviderFailure ({@link ProviderFailure#CREDENTIAL_MISSING}) when one is needed and missing, or cannot
     *                         be sent in a header
     */
    public static @Nullable String credential(ProviderEndpoint endpoint, @Nullable String secret) {
        String credential = secret == null || secret.isBlank() ? null : secret.strip();
        if (credential == null && endpoint.connection().requiresCredential()) {
            throw new ProviderFailure(ProviderFailure.CREDENTIAL_MISSING, HttpStatus.BAD_REQUEST, endpoint.name(),
                    "Connection '" + endpoint.name() + "' needs a credential (an API key or a virtual key) and none"
                            + " applies here. An admin can add one for the connection, or a group admin or the user"
                            + " their own.", null, null, null);
        }
        if (credential != null && !credential.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new ProviderFailure(ProviderFailure.CREDENTIAL_MISSING, HttpStatus.BAD_REQUEST, endpoint.name(),
                    "The credential for connection '" + endpoint.name() + "' contains characters that cannot be sent"
                            + " in an HTTP header (a line break, perhaps). Store it again without them.", null, null,
                    null);
        }
        return credential;
    }

    /** @return the exception as a short phrase, without the secret */
    static String describe(IOException failure, @Nullable String secret) {
        if (failure instanceof Clients.AddressRefused refused) {
            return refused.getMessage();
        }
        if (failure instanceof ConnectException || failure.getCause() instanceof ConnectException) {
            return "connection refused";
        }
        if (failure instanceof UnknownHostException || failure.getCause() instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return ProviderErrors.redact(message, secret);
    }

    /** @return a duration as people read it ({@code 5s}, {@code 250ms}) */
    static String readable(Duration duration) {
        return EmbeddingMessages.readable(duration);
    }

    private static String who(ProviderEndpoint endpoint) {
        return "The provider '" + endpoint.name() + "'";
    }

    private static String kind(ProviderEndpoint endpoint) {
        return switch (endpoint.connection().type()) {
            case OPENAI -> "an OpenAI-compatible API";
            case OLLAMA -> "Ollama";
            case ANTHROPIC -> "Anthropic's Messages API";
            case GEMINI -> "Google's Generative Language API";
            case LOCAL -> "the built-in model";
        };
    }
}
