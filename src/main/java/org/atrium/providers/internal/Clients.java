package org.atrium.providers.internal;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.atrium.providers.InternalAddresses;
import org.atrium.providers.ProviderEndpoint;

import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * The HTTP clients of provider calls, one per connect timeout (a connection pool sets that timeout for all its
 * connections, and connections have few distinct values) and address rule, each with its own pool. A client for
 * endpoints that may not reach internal addresses checks every address it is about to connect to ({@link
 * InternalAddresses}) and refuses the connection when the name resolves to one: the check that accepted the URL ran
 * earlier, and a name can be re-pointed in between (DNS rebinding). Apache's classic client: a call blocks its own
 * virtual thread on the socket, with no selector thread between it and the provider: a quarter less CPU per proxied
 * call than the JDK client in the gateway benchmark (docs/benchmarks.md). Redirects are not followed, so that a
 * credential is only ever sent to the configured URL; nothing is retried by the client (the callers retry, only while
 * nothing has reached their listener); no cookies are kept and no compression is asked for (a provider's body is read
 * as sent, within the callers' limits). Reads have no time limit of their own: each caller enforces its deadlines by
 * aborting the exchange. The JVM's proxy settings apply, as they did to the JDK client (through a proxy, the proxy
 * resolves the provider's name, and the deployment's egress rules are what keeps it from internal addresses).
 * Thread-safe.
 */
public final class Clients implements AutoCloseable {

    /** Beyond this many clients, a new connect timeout is served by the client of 5 s with the same address rule. */
    private static final int MAX_CLIENTS = 16;
    /** Connections per client and per provider address; well above the calls a replica runs at once. */
    private static final int MAX_CONNECTIONS = 4_096;
    /** A pooled connection idle for longer is checked before reuse, so that one the provider closed is not used. */
    private static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofSeconds(1);
    /** Idle connections are closed after this: a replica holds no sockets to providers it no longer calls. */
    private static final TimeValue MAX_IDLE = TimeValue.ofMinutes(1);

    /**
     * Longest line of a response's head or of a chunk's size: Apache's client reads lines without a limit unless
     * told, and a provider (whose URL a user may have set) could otherwise send one header line until memory ran out.
     */
    private static final int MAX_LINE = 32 * 1024;
    /** Most header lines in a response's head (and in a chunked body's trailer). */
    private static final int MAX_HEADERS = 200;
    /**
     * Read and write buffer of a connection; a stream held open keeps both (answers streaming to clients keep one
     * connection each). A larger body is written past the buffer, and reads of one only take more calls.
     */
    private static final int BUFFER = 2 * 1024;

    private final ConcurrentMap<Key, CloseableHttpClient> clients = new ConcurrentHashMap<>();

    private record Key(Duration connectTimeout, boolean internalAddresses) {
    }

    /**
     * @param endpoint the endpoint to call
     * @return a client with its connect timeout and address rule
     */
    public CloseableHttpClient client(ProviderEndpoint endpoint) {
        Key key = new Key(endpoint.timeouts().connect(), endpoint.internalAddresses());
        if (clients.size() >= MAX_CLIENTS && !clients.containsKey(key)) {
            key = new Key(Duration.ofSeconds(5), endpoint.internalAddresses());
        }
        return clients.computeIfAbsent(key, k -> build(k.connectTimeout(), k.internalAddresses()));
    }

    /**
     * @param connectTimeout    the connect timeout
     * @param internalAddresses whether it may connect to addresses that are not public
     * @return a client of its own, for a caller that keeps it for the application's life
     */
    static CloseableHttpClient build(Duration connectTimeout, boolean internalAddresses) {
        Timeout connect = Timeout.of(connectTimeout);
        var pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(internalAddresses ? SystemDefaultDnsResolver.INSTANCE : PublicAddresses.RESOLVER)
                .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom().setMaxLineLength(MAX_LINE).setMaxHeaderCount(MAX_HEADERS)
                                .setBufferSize(BUFFER).build())
                        .build())
                .setMaxConnTotal(MAX_CONNECTIONS)
                .setMaxConnPerRoute(MAX_CONNECTIONS)
                // Per-address locks rather than one lock for the whole pool: many calls at once to one provider.
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setConnPoolPolicy(PoolReusePolicy.LIFO)
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(Timeout.DISABLED)
                        .build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(Timeout.DISABLED)
                        .setValidateAfterInactivity(CHECK_AFTER_IDLE)
                        .build())
                .build();
        return HttpClients.custom()
                .setConnectionManager(pool)
                .setRoutePlanner(new SystemDefaultRoutePlanner(ProxySelector.getDefault()))
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(connect).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                .disableAuthCaching()
                .disableConnectionState()
                .evictIdleConnections(MAX_IDLE)
                .build();
    }

    /** Closes the pools and their connections; calls still in flight fail. */
    @Override
    public void close() {
        clients.values().forEach(client -> client.close(CloseMode.GRACEFUL));
    }

    /** Resolves names as the system does and refuses any that resolves to an address that is not public. */
    private static final class PublicAddresses implements DnsResolver {

        static final PublicAddresses RESOLVER = new PublicAddresses();

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            InetAddress[] addresses = SystemDefaultDnsResolver.INSTANCE.resolve(host);
            for (InetAddress address : addresses) {
                Optional<String> kind = InternalAddresses.kind(address);
                if (kind.isPresent()) {
                    throw new AddressRefused("its host '" + host + "' resolves to a " + kind.get() + " address, which"
                            + " this connection may not reach");
                }
            }
            return addresses;
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
        }
    }

    /** A connection refused because its host resolves to an address the endpoint may not reach. */
    static final class AddressRefused extends UnknownHostException {

        AddressRefused(String message) {
            super(message);
        }
    }
}
