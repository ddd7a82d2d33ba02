package org.atrium.providers.internal;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.util.Timeout;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.ProviderModel;
import org.atrium.providers.internal.ProviderApi.ModelPage;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Fetches a connection's model list, page by page where the API pages (Anthropic, Gemini). Each page must arrive
 * within the endpoint's first-token timeout and the whole list within its total timeout; the list is bounded in
 * pages, bytes per page and models. No retries: a caller that caches lists keeps the last good one instead.
 *
 * @param clients the HTTP clients
 * @param json    the JSON mapper
 * @param clock   for {@code Retry-After} dates
 */
public record ModelLister(Clients clients, JsonMapper json, Clock clock) {

    /** Most pages fetched for one list. */
    public static final int MAX_PAGES = 20;
    /** Most models kept from one list. */
    public static final int MAX_MODELS = 5_000;

    /**
     * @param endpoint the endpoint
     * @param api      its wire format
     * @param secret   the credential, already checked
     * @return the models, in the provider's order, without duplicates
     * @throws ProviderFailure when the list cannot be fetched
     */
    public List<ProviderModel> list(ProviderEndpoint endpoint, ProviderApi api, @Nullable String secret) {
        URI base = endpoint.connection().baseUrl();
        if (base == null) {
            throw new IllegalArgumentException("Connection '" + endpoint.name() + "' is not remote");
        }
        long deadline = System.nanoTime() + endpoint.timeouts().total().toNanos();
        Set<String> seen = new LinkedHashSet<>();
        List<ProviderModel> models = new ArrayList<>();
        String token = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw ProviderFailures.timeout(endpoint, "to list its models", endpoint.timeouts().total());
            }
            Duration timeout = Duration.ofNanos(Math.min(left, endpoint.timeouts().firstToken().toNanos()));
            ModelPage found = page(endpoint, api, secret, api.modelsUri(base, token), timeout);
            for (ProviderModel model : found.models()) {
                if (model.id().length() <= ProviderModel.MAX_ID && models.size() < MAX_MODELS
                        && seen.add(model.id())) {
                    models.add(model);
                }
            }
            token = found.nextToken();
            if (token == null || models.size() >= MAX_MODELS) {
                return List.copyOf(models);
            }
        }
        return List.copyOf(models);
    }

    private ModelPage page(ProviderEndpoint endpoint, ProviderApi api, @Nullable String secret, URI uri,
                           Duration timeout) {
        HttpGet request = new HttpGet(uri);
        // The page's time limit applies to each wait for the provider's bytes; the list's deadline to them all.
        request.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(timeout)).build());
        request.setHeader("Accept", "application/json");
        endpoint.headers().forEach(request::setHeader);
        api.authenticate(request, secret);
        Exchange exchange;
        try {
            exchange = Exchange.send(clients.client(endpoint), request);
        } catch (ConnectTimeoutException timedOut) {
            throw ProviderFailures.timeout(endpoint, "to accept a connection", endpoint.timeouts().connect());
        } catch (SocketTimeoutException timedOut) {
            throw ProviderFailures.timeout(endpoint, "to list its models", timeout);
        } catch (IOException unreachable) {
            if (Thread.interrupted()) {
                throw interrupted(endpoint, unreachable);
            }
            ProviderFailure unusable = ProviderFailures.unusableHead(endpoint, unreachable);
            throw unusable != null ? unusable : ProviderFailures.unreachable(endpoint, unreachable, secret);
        }
        int status = exchange.status();
        if (status < 200 || status >= 300) {
            byte[] body = Bounded.head(exchange.body(), Bounded.MAX_ERROR_BODY);
            throw ProviderFailures.forStatus(endpoint, "the model list request", status, body, json, secret,
                    Backoff.retryAfter(exchange::header, clock));
        }
        try {
            return api.models(json.readTree(Bounded.read(exchange.body(), Bounded.MAX_BODY)));
        } catch (Bounded.TooLarge tooLarge) {
            throw ProviderFailures.invalid(endpoint, "its model list is larger than " + Bounded.MAX_BODY + " bytes");
        } catch (SocketTimeoutException timedOut) {
            throw ProviderFailures.timeout(endpoint, "to list its models", timeout);
        } catch (IOException broken) {
            throw ProviderFailures.unreachable(endpoint, broken, secret);
        } catch (JacksonException notJson) {
            throw ProviderFailures.invalid(endpoint, "its model list is not JSON");
        } catch (ProviderApi.UnusableResponse unusable) {
            throw ProviderFailures.invalid(endpoint, unusable.getMessage());
        } finally {
            // Nothing left on the connection when the list was read to its end; else it is closed.
            request.cancel();
        }
    }

    private static ProviderFailure interrupted(ProviderEndpoint endpoint, IOException cause) {
        Thread.currentThread().interrupt();
        return new ProviderFailure(ProviderFailure.CANCELLED, HttpStatus.SERVICE_UNAVAILABLE, endpoint.name(),
                "Listing the models of connection '" + endpoint.name() + "' was interrupted.", null, null, cause);
    }
}
