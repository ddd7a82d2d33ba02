package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Abuse limits of one real single-node process (in-process counts, no Redis) with small limits, behind a trusted
 * proxy's forwarded headers: sign-in per client address, event streams per replica, slow-drip connections cut by the
 * server's idle timeout as shipped (and calls that wait longer than it for their model, or streams for their next
 * event, not cut), and the cross-site check when the proxy rewrites {@code Host}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbuseLimitsProcessTest {

    private static final String PASSWORD = "correct horse battery staple";
    /** {@code server.jetty.connection-idle-timeout} as shipped in application.yaml. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** Longer than the idle timeout: a server that honours it has closed the connection by the end of a pause. */
    private static final Duration PAUSE = READ_TIMEOUT.plusSeconds(5);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AtriumProcess process;
    private Api api;
    private String adminEmail;
    private String adminToken;

    @BeforeAll
    void start() {
        process = AtriumProcess.builder().database(TestInfrastructure.createDatabase("abuse"))
                .env("ATRIUM_SIGNIN_THROTTLE_ADDRESS_FREE_ATTEMPTS", "3")
                .env("ATRIUM_SIGNIN_THROTTLE_INITIAL_BACKOFF", "60s")
                .env("ATRIUM_EVENTS_MAX_PER_REPLICA", "2")
                // As behind a reverse proxy (README, Operating); loopback is among the trusted proxies by default.
                .env("SERVER_FORWARD_HEADERS_STRATEGY", "native")
                .env("ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES", "true")
                .start();
        process.awaitReady(Duration.ofSeconds(150));
        api = process.api();
        adminEmail = "admin-" + UUID.randomUUID().toString().substring(0, 8) + "@atrium.test";
        Api.Response signUp = api.post("/api/v1/auth/signup",
                Map.of("email", adminEmail, "name", "Admin", "password", PASSWORD), null);
        assertThat(signUp.status()).as(signUp.text()).isEqualTo(201);
        adminToken = signUp.json().path("token").asString();
    }

    @AfterAll
    void stop() {
        if (process != null) {
            process.close();
        }
    }

    @Test
    void signInIsThrottledPerClientAddressWhicheverEmailAddressesAreTried() {
        for (int attempt = 1; attempt <= 3; attempt++) {
            Api.Response wrong = api.post("/api/v1/auth/signin", Map.of("email",
                    "spray-" + attempt + "@atrium.test", "password", "Summer2026!"), null);
            assertThat(wrong.status()).as("attempt %d: %s", attempt, wrong.text()).isEqualTo(401);
        }

        Api.Response locked = api.post("/api/v1/auth/signin", Map.of("email", adminEmail, "password", PASSWORD),
                null);

        assertThat(locked.status()).as("another account, from the same address: %s", locked.text()).isEqualTo(429);
        assertThat(locked.json().path("code").asString(null)).isEqualTo("too_many_attempts");
        assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 60L);
    }

    /**
     * Behind a trusted proxy (loopback here) the client's address is the last one the proxies appended to
     * {@code X-Forwarded-For}, never one the client wrote before it: a client that makes up a new address for each
     * guess is still throttled as the one address its proxy saw.
     */
    @Test
    void aClientCannotEscapeTheThrottleWithAddressesItForwardsItself() {
        for (int attempt = 1; attempt <= 3; attempt++) {
            Api.Response wrong = signInThrough("203.0.113." + attempt + ", 198.51.100.7",
                    "forged-" + attempt + "@atrium.test", "Summer2026!");
            assertThat(wrong.status()).as("attempt %d: %s", attempt, wrong.text()).isEqualTo(401);
        }

        Api.Response locked = signInThrough("203.0.113.99, 198.51.100.7", adminEmail, PASSWORD);
        Api.Response otherClient = signInThrough("203.0.113.99, 198.51.100.8", adminEmail, PASSWORD);

        assertThat(locked.status()).as("a fourth made-up address, the same proxy-seen one: %s", locked.text())
                .isEqualTo(429);
        assertThat(otherClient.status()).as("another client behind the proxy: %s", otherClient.text())
                .isEqualTo(200);
    }

    /**
     * Nor can it claim HTTPS through the proxy (the session cookie would be {@code Secure}): only the nearest proxy's
     * {@code X-Forwarded-Proto}, the rightmost, counts; the other HTTPS headers Jetty knows count not at all.
     */
    @Test
    void aClientCannotClaimHttpsThroughTheProxy() {
        assertThat(sessionCookieThrough(Map.of("X-Forwarded-Proto", "http, https"))).as("the nearest proxy: https")
                .containsPattern(";\\s*Secure");
        assertThat(sessionCookieThrough(Map.of("X-Forwarded-Proto", "https, http"))).as("the client wrote https")
                .doesNotContainPattern(";\\s*Secure");
        assertThat(sessionCookieThrough(Map.of("X-Proxied-Https", "on"))).doesNotContainPattern(";\\s*Secure");
        assertThat(sessionCookieThrough(Map.of("Forwarded", "for=198.51.100.21;proto=https")))
                .doesNotContainPattern(";\\s*Secure");
    }

    private String sessionCookieThrough(Map<String, String> forwarded) {
        Map<String, String> headers = new java.util.HashMap<>(forwarded);
        headers.put("X-Forwarded-For", "198.51.100.20");
        headers.put("Content-Type", "application/json");
        Api.Response signedIn = api.send("POST", "/api/v1/auth/signin", "{\"email\":\"" + adminEmail
                + "\",\"password\":\"" + PASSWORD + "\"}", headers);
        assertThat(signedIn.status()).as(signedIn.text()).isEqualTo(200);
        return signedIn.header("Set-Cookie");
    }

    private Api.Response signInThrough(String forwardedFor, String email, String password) {
        return api.send("POST", "/api/v1/auth/signin", "{\"email\":\"" + email + "\",\"password\":\"" + password
                + "\"}", Map.of("X-Forwarded-For", forwardedFor, "Content-Type", "application/json"));
    }

    @Test
    void sameOriginCookieRequestsPassBehindAPlainHttpProxyThatRewritesHost() {
        RawHttp proxy = new RawHttp(api.baseUrl());
        byte[] body = "{\"name\":\"proxied\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> forwarded = Map.of("Cookie", "atrium_session=" + adminToken,
                "X-Forwarded-Host", "atrium.example.org", "X-Forwarded-Proto", "http",
                "Content-Type", "application/json", "Content-Length", Integer.toString(body.length));

        Api.Response sameOrigin = proxy.send("POST /api/v1/api-keys HTTP/1.1",
                with(forwarded, "Origin", "http://atrium.example.org"), body);
        Api.Response crossSite = proxy.send("POST /api/v1/api-keys HTTP/1.1",
                with(forwarded, "Origin", "http://evil.example.org"), body);

        assertThat(sameOrigin.status()).as("Host names the backend, Origin the proxy: %s", sameOrigin.text())
                .isEqualTo(201);
        assertThat(crossSite.status()).as(crossSite.text()).isEqualTo(403);
        assertThat(crossSite.json().path("code").asString(null)).isEqualTo("cross_site_request");
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put(name, value);
        return all;
    }

    @Test
    void eventStreamsBeyondTheReplicaLimitAreRefusedWith429() throws Exception {
        List<HttpResponse<Stream<String>>> open = new ArrayList<>();
        try {
            for (int stream = 0; stream < 2; stream++) {
                HttpResponse<Stream<String>> response = openStream();
                open.add(response);
                assertThat(response.statusCode()).as("stream %d", stream + 1).isEqualTo(200);
            }

            HttpResponse<Stream<String>> refused = openStream();
            open.add(refused);

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(String.join("\n", refused.body().toList())).contains("\"code\":\"too_many_streams\"");

            // Quiet for longer than the idle timeout until its first heartbeat (atrium.events.heartbeat, 15 s), the
            // stream is not cut by it.
            assertThat(open.getFirst().body().filter(line -> line.startsWith("event:")).skip(1).findFirst())
                    .as("the event after ready").contains("event:heartbeat");
        } finally {
            open.forEach(response -> response.body().close());
        }
    }

    /**
     * A request whose headers drip in and one whose body drips in, on two connections at once: each pause of a drip
     * waits out the server's idle timeout, so running them side by side halves the wait without changing either.
     */
    @Test
    void requestsWhoseHeadersOrBodyDripInAreCutWithoutAServerError() throws Exception {
        try (var drips = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var headers = drips.submit(() -> drip("GET /actuator/health/liveness HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                    "X-Slow: "));
            var body = drips.submit(() -> drip("POST /api/v1/auth/signin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"email\":", "\""));

            assertThat(headers.get()).as("no response to a request whose headers never finished")
                    .doesNotContain("200");
            String bodyAnswer = body.get();
            assertThat(bodyAnswer).as("never a server error").doesNotContainPattern("HTTP/1.1 5\\d\\d");
            assertThat(bodyAnswer).doesNotContain("HTTP/1.1 200");
        }
    }

    /**
     * The idle timeout is for connections on which nothing arrives: a call whose model takes longer than it to answer
     * is not cut, streaming or not. (An event stream quiet for longer than it between heartbeats is not cut either:
     * {@link #eventStreamsBeyondTheReplicaLimitAreRefusedWith429}.)
     */
    @Test
    void aCallWaitingLongerThanTheIdleTimeoutForItsModelIsNotCut() throws Exception {
        try (FakeChatServer provider = FakeChatServer.start().models("m")) {
            String connection = "slow-" + UUID.randomUUID().toString().substring(0, 8);
            Api.Response added = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                    "baseUrl", provider.openAiBaseUrl()), adminToken);
            assertThat(added.status()).as(added.text()).isEqualTo(201);
            Api.Response credential = api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind",
                    "api_key", "name", "mine", "secret", "sk-slow-0123456789abcdef"), adminToken);
            assertThat(credential.status()).as(credential.text()).isEqualTo(201);
            Api.Response key = api.post("/api/v1/api-keys", Map.of("name", "script"), adminToken);
            assertThat(key.status()).as(key.text()).isEqualTo(201);
            Duration thinking = READ_TIMEOUT.plusSeconds(3);
            for (int call = 0; call < 2; call++) {
                provider.enqueue(FakeChatServer.Script.text("worth the wait").inChunks(1).slowStart(thinking));
            }

            try (var waits = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var whole = waits.submit(() -> api.post("/v1/chat/completions", Map.of("model", connection + "/m",
                        "messages", List.of(Map.of("role", "user", "content", "Think hard"))),
                        key.json().path("key").asString()));
                var streamed = waits.submit(() -> api.post("/v1/chat/completions", Map.of("model",
                        connection + "/m", "stream", true, "messages", List.of(Map.of("role", "user", "content",
                                "Think hard, then stream"))), key.json().path("key").asString()));

                Api.Response answer = whole.get();
                assertThat(answer.status()).as(answer.text()).isEqualTo(200);
                assertThat(answer.json().path("choices").path(0).path("message").path("content").asString())
                        .isEqualTo("worth the wait");
                Api.Response stream = streamed.get();
                assertThat(stream.status()).as(stream.text()).isEqualTo(200);
                assertThat(stream.text()).contains("worth the wait").contains("data: [DONE]");
            }
        }
    }

    /** Opens a connection, sends the start of a request, then drips the rest; returns what the server wrote. */
    private String drip(String start, String drip) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", process.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(start.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return dripUntilClosed(socket, drip.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Sends one byte, then waits longer than the server's idle timeout, again and again; returns what the server
     * wrote once it closed the connection.
     *
     * @throws AssertionError when the connection is still open after five pauses
     */
    private static String dripUntilClosed(Socket socket, byte[] drip) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        for (int pause = 0; pause < 5; pause++) {
            try {
                socket.getOutputStream().write(drip[pause % drip.length]);
                socket.getOutputStream().flush();
            } catch (SocketException closed) {
                return received.toString(StandardCharsets.US_ASCII);
            }
            socket.setSoTimeout((int) PAUSE.toMillis());
            try {
                byte[] buffer = new byte[4096];
                for (int read = in.read(buffer); ; read = in.read(buffer)) {
                    if (read < 0) {
                        return received.toString(StandardCharsets.US_ASCII);
                    }
                    received.write(buffer, 0, read);
                }
            } catch (SocketTimeoutException stillOpen) {
                // the server is still waiting: drip one more byte
            } catch (SocketException reset) {
                return received.toString(StandardCharsets.US_ASCII);
            }
        }
        throw new AssertionError("the server kept a dripping connection open for 5 pauses of " + PAUSE
                + "; received: " + received.toString(StandardCharsets.US_ASCII));
    }

    private HttpResponse<Stream<String>> openStream() throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/v1/events"))
                        .header("Authorization", "Bearer " + adminToken).header("Accept", "text/event-stream")
                        .GET().build(), HttpResponse.BodyHandlers.ofLines());
    }
}
