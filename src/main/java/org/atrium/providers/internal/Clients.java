package org.atrium.providers.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The HTTP clients of chat and model-listing calls, one per connect timeout (the JDK sets that timeout per client,
 * and connections have few distinct values), each with its own connection pool. HTTP/1.1 and no redirects, for the
 * reasons given in {@link ProviderHttp}. Thread-safe.
 */
public final class Clients implements AutoCloseable {

    /** More distinct connect timeouts than this are served by one shared client with the default timeout. */
    private static final int MAX_CLIENTS = 16;
    private final ConcurrentMap<Duration, HttpClient> byConnectTimeout = new ConcurrentHashMap<>();

    /**
     * @param connectTimeout the connect timeout
     * @return a client with that connect timeout
     */
    public HttpClient client(Duration connectTimeout) {
        Duration key = byConnectTimeout.size() >= MAX_CLIENTS && !byConnectTimeout.containsKey(connectTimeout)
                ? Duration.ofSeconds(5) : connectTimeout;
        return byConnectTimeout.computeIfAbsent(key, timeout -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }

    /** Lets requests in flight finish but starts no new ones. */
    @Override
    public void close() {
        byConnectTimeout.values().forEach(HttpClient::shutdown);
    }
}
