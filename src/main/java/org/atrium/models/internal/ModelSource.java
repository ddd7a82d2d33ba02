package org.atrium.models.internal;

import org.atrium.models.ConnectionKind;
import org.atrium.models.ConnectionTimeouts;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Fetches a connection's model list from its provider. */
public interface ModelSource {

    /**
     * Where to fetch from.
     *
     * @param name              the connection's name, for messages
     * @param kind              its wire format
     * @param baseUrl           its API root
     * @param headers           its extra headers
     * @param timeouts          its call timeouts
     * @param limit             how long this fetch may take in all
     * @param internalAddresses whether it may connect to addresses that are not public
     */
    record Target(String name, ConnectionKind kind, URI baseUrl, Map<String, String> headers,
                  ConnectionTimeouts timeouts, Duration limit, boolean internalAddresses) {
    }

    /** Why a fetch failed: a sentence for admins that names the connection and never contains a secret. */
    final class FetchFailure extends RuntimeException {
        /**
         * @param message the sentence
         * @param cause   the cause, never one carrying a secret
         */
        public FetchFailure(String message, @Nullable Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * @param target where to fetch from
     * @param secret the credential to send, or null
     * @return the provider's models
     * @throws FetchFailure when the provider cannot be reached, refuses, answers garbage or is too slow
     */
    List<ModelListEntry.Model> list(Target target, @Nullable String secret);
}
