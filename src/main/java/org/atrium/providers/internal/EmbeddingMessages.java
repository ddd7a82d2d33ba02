package org.atrium.providers.internal;

import org.atrium.providers.ProviderConnection;
import org.jspecify.annotations.Nullable;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * The sentences an embedding failure is reported with: what happened, the provider's own words when it gave any,
 * and who should do what (an admin fixes a credential or a URL, a user picks another model, anyone tries later).
 * Their inputs are already redacted; nothing here sees the secret except {@link #describe}, which redacts.
 *
 * @param connection     the connection called
 * @param model          the model asked for
 * @param endpoint       the URL posted to
 * @param requestTimeout the per-request timeout, quoted when it ran out
 */
record EmbeddingMessages(ProviderConnection connection, String model, URI endpoint, Duration requestTimeout) {

    /** A 4xx other than 429 (or a 3xx, since redirects are not followed): the same request will fail again. */
    String refused(int status, String providerMessage) {
        String who = who();
        String code = " (" + ProviderErrors.status(status) + ")" + ProviderErrors.quoted(providerMessage);
        String variable = ProviderErrors.variable(connection.name());
        return switch (status) {
            case 401, 403 -> who + " refused the request" + code + ". An admin must check the credential for"
                    + " connection '" + connection.name() + "'.";
            case 404 -> who + " does not know model '" + model + "' or the address " + endpoint + code
                    + ". Check the model name and " + variable + "_BASE_URL.";
            case 413 -> who + " found the request too large" + code
                    + ". Lower ATRIUM_PROVIDERS_EMBEDDING_BATCH_SIZE.";
            default -> status >= 300 && status < 400
                    ? who + " redirected the request" + code + ". Set " + variable + "_BASE_URL to the final address."
                    : who + " rejected the request for model '" + model + "'" + code + ".";
        };
    }

    /** Every attempt failed transiently; the last failure decides the wording. */
    String exhausted(Attempt.Transient failure, int attempts) {
        String tries = attempts == 1 ? "1 attempt" : attempts + " attempts";
        Integer status = failure.status();
        if (status != null && status == 429) {
            return who() + " is still limiting requests after " + tries + " (" + ProviderErrors.status(status) + ")"
                    + ProviderErrors.quoted(failure.detail()) + ". Try again later, or raise the rate limit of the"
                    + " credential for connection '" + connection.name() + "'.";
        }
        if (status != null) {
            return who() + " failed on " + (attempts == 1 ? "its only attempt" : "all " + tries) + " (last: "
                    + ProviderErrors.status(status) + ")" + ProviderErrors.quoted(failure.detail())
                    + ". Try again later.";
        }
        if (failure.reason().equals("timeout")) {
            return who() + " did not answer within " + readable(requestTimeout) + " in " + tries
                    + ". Try again later, or raise ATRIUM_PROVIDERS_EMBEDDING_REQUEST_TIMEOUT.";
        }
        return "Could not reach the embeddings provider '" + connection.name() + "' at " + connection.baseUrl()
                + " in " + tries + " (" + failure.detail() + "). Check that it is running and that "
                + ProviderErrors.variable(connection.name()) + "_BASE_URL is right.";
    }

    /** A successful status whose body cannot be used. */
    String unusable(String problem) {
        return who() + " answered with something Atrium cannot use: " + problem + ". Check that connection '"
                + connection.name() + "' points at " + (connection.type() == ProviderConnection.Type.OPENAI
                ? "an OpenAI-compatible API" : "Ollama") + " and that '" + model + "' is an embedding model.";
    }

    String interrupted() {
        return "Embedding with connection '" + connection.name() + "' was interrupted.";
    }

    private String who() {
        return "The embeddings provider '" + connection.name() + "'";
    }

    /**
     * Says why a request got no answer. The JDK wraps the telling exception, often without a message: a
     * ConnectException around a ClosedChannelException when refused, around an UnresolvedAddressException for an
     * unknown host.
     */
    static String describe(IOException failure, URI endpoint, @Nullable String secret) {
        String firstMessage = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return "unknown host " + endpoint.getHost();
            }
            if (cause instanceof SSLException) {
                return ProviderErrors.redact("TLS failed: " + cause.getMessage(), secret);
            }
            if (firstMessage == null) {
                firstMessage = cause.getMessage();
            }
        }
        if (failure instanceof ConnectException) {
            return "connection refused";
        }
        return ProviderErrors.redact(failure.getClass().getSimpleName()
                + (firstMessage == null ? "" : ": " + firstMessage), secret);
    }

    /** @return {@code 60s} or {@code 300ms} */
    static String readable(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
