package org.atrium.providers.internal;

import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.atrium.providers.ProviderProperties;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;

/**
 * What every remote client shares: one HTTP client (its connection pool), the JSON mapper, the call settings and
 * the metrics. Built once by the facade; thread-safe.
 *
 * @param client   the client ({@link Clients}), redirects not followed
 * @param json     Spring's mapper
 * @param settings timeouts, attempts, backoff and batch size
 * @param metrics  where requests are timed
 * @param clock    for {@code Retry-After} dates
 */
public record ProviderHttp(CloseableHttpClient client, JsonMapper json, ProviderProperties.Embedding settings,
                           ProviderMetrics metrics, Clock clock) {

    /**
     * Builds the shared client, as {@link Clients} builds those of chat calls, with the embedding connect timeout.
     * Embeddings go to the operator's configured connections only, which may reach any address.
     *
     * @param json     Spring's mapper
     * @param settings timeouts, attempts, backoff and batch size
     * @param metrics  where requests are timed
     * @return the shared state
     */
    public static ProviderHttp create(JsonMapper json, ProviderProperties.Embedding settings,
                                      ProviderMetrics metrics) {
        return new ProviderHttp(Clients.build(settings.connectTimeout(), true), json, settings, metrics,
                Clock.systemUTC());
    }
}
