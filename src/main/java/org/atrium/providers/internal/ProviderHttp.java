package org.atrium.providers.internal;

import org.atrium.providers.ProviderProperties;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpClient;
import java.time.Clock;

/**
 * What every remote client shares: one HTTP client (its connection pool), the JSON mapper, the call settings and
 * the metrics. Built once by the facade; thread-safe.
 *
 * @param client   the JDK client, HTTP/1.1, redirects not followed
 * @param json     Spring's mapper
 * @param settings timeouts, attempts, backoff and batch size
 * @param metrics  where requests are timed
 * @param clock    for {@code Retry-After} dates
 */
public record ProviderHttp(HttpClient client, JsonMapper json, ProviderProperties.Embedding settings,
                           ProviderMetrics metrics, Clock clock) {

    /**
     * Builds the shared client. HTTP/1.1 because the JDK's cleartext HTTP/2 upgrade confuses some OpenAI-compatible
     * servers, and a few large embedding requests gain nothing from multiplexing. Redirects are not followed so that
     * the credential is only ever sent to the configured URL.
     *
     * @param json     Spring's mapper
     * @param settings timeouts, attempts, backoff and batch size
     * @param metrics  where requests are timed
     * @return the shared state
     */
    public static ProviderHttp create(JsonMapper json, ProviderProperties.Embedding settings,
                                      ProviderMetrics metrics) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new ProviderHttp(client, json, settings, metrics, Clock.systemUTC());
    }
}
