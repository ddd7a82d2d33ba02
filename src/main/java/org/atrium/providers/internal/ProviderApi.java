package org.atrium.providers.internal;

import org.atrium.providers.ProviderModel;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

/**
 * One provider kind's wire format: where its endpoints are, how a credential is sent, and how its JSON maps to
 * Atrium's provider-neutral records. Implementations live in one subpackage per kind and are stateless; the
 * HTTP calls, limits, timeouts, retries and error mapping around them are shared ({@link ModelLister},
 * {@link ChatCall}).
 */
public interface ProviderApi {

    /**
     * @param base      the connection's base URL
     * @param pageToken the token from the previous page, null for the first
     * @return the URL of one page of the model list
     */
    URI modelsUri(URI base, @Nullable String pageToken);

    /**
     * Adds the credential (and any header the API always needs, such as {@code anthropic-version}).
     *
     * @param request the request being built
     * @param secret  the credential, already checked to be header-safe; null sends none
     */
    void authenticate(HttpRequest.Builder request, @Nullable String secret);

    /**
     * @param body one page of the model list
     * @return its models and the next page's token
     * @throws UnusableResponse when the body is not a model list
     */
    ModelPage models(JsonNode body);

    /**
     * One page of a model list.
     *
     * @param models    the models on it (already filtered to those that can chat, where the API tells)
     * @param nextToken the token of the next page, null on the last
     */
    record ModelPage(List<ProviderModel> models, @Nullable String nextToken) {
    }

    /** A successful answer whose content is not what the API documents. */
    final class UnusableResponse extends RuntimeException {

        /** @param problem what is wrong, for the failure message (no provider content beyond names) */
        public UnusableResponse(String problem) {
            super(problem, null, false, false);
        }
    }

    /**
     * @param node a JSON node
     * @return its text when it is a non-blank string, else null
     */
    static @Nullable String text(JsonNode node) {
        return node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }
}
