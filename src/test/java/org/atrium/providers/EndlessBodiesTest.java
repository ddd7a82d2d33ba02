package org.atrium.providers;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.atrium.providers.ProviderConnection.Type;
import org.atrium.providers.ProviderProperties.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Providers whose bodies never end: an error explanation, an embeddings answer, a model list, and a stream that
 * goes on after its end marker. Each call must end within its limits and close the connection rather than read on
 * (an HTTP client's usual way of giving a connection back is to read the rest of the body first). The server
 * counts the connections it saw closed under it, which is how it knows the client gave up. A client that reads on
 * would never end, hence the time limit.
 */
@Timeout(60)
class EndlessBodiesTest {

    private static final ChatResilience RETRY_ONCE = new ChatResilience(2, Duration.ofMillis(10),
            Duration.ofMillis(100), 50, 100, 100, Duration.ofMinutes(1), 1, Duration.ofSeconds(10),
            Duration.ofMinutes(2));
    private static final CallTimeouts TIMEOUTS = new CallTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(20),
            Duration.ofSeconds(20), Duration.ofSeconds(30));

    private final EndlessServer server = new EndlessServer();
    private final ChatProviders providers = new ChatProviders(JsonMapper.builder().build(), new SimpleMeterRegistry(),
            RETRY_ONCE);

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void anErrorWhoseExplanationNeverEndsFailsTheCallWithItsStatus() {
        server.answer("HTTP/1.1 500 Internal Server Error", "application/json", "{\"error\": {\"message\": \"",
                "x".repeat(4096));

        ProviderFailure failure = catchThrowableOfType(ProviderFailure.class, () -> providers.stream(
                endpoint(Type.OPENAI), "k", ChatRequest.of("m", List.of(ChatMessage.user("Hello"))),
                new ChatListener() {
                }).await(Duration.ofSeconds(15)));

        // Not a timeout of the caller's wait: both attempts read the head of the explanation and closed.
        assertThat(failure.code()).isEqualTo(ProviderFailure.UNAVAILABLE);
        assertThat(failure.getMessage()).contains("500");
        server.awaitClosedUnderIt(2);
    }

    @Test
    void aResponseHeadThatNeverEndsFailsTheCallAsUnusable() {
        server.endlessHead();

        ProviderFailure failure = catchThrowableOfType(ProviderFailure.class, () -> providers.stream(
                endpoint(Type.OPENAI), "k", ChatRequest.of("m", List.of(ChatMessage.user("Hello"))),
                new ChatListener() {
                }).await(Duration.ofSeconds(15)));

        // The attempt stops at the longest header line it accepts, without waiting for the line's end; no retry
        // would mend that.
        assertThat(failure.code()).isEqualTo(ProviderFailure.INVALID_RESPONSE);
        assertThat(failure.getMessage()).contains("the head of its response is malformed or too large",
                "Maximum line length limit exceeded");
        server.awaitClosedUnderIt(1);
    }

    @Test
    void aModelListOrEmbeddingsAnswerWhoseHeadNeverEndsIsUnusable() {
        server.endlessHead();

        ProviderFailure list = catchThrowableOfType(ProviderFailure.class,
                () -> providers.listModels(endpoint(Type.OPENAI), "k"));
        EmbeddingFailure embeddings = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders(64).embedder("openai", "m", "k").embed(List.of("alpha")));

        assertThat(list.code()).isEqualTo(ProviderFailure.INVALID_RESPONSE);
        assertThat(list.getMessage()).contains("the head of its response is malformed or too large");
        assertThat(embeddings.retryable()).isFalse();
        assertThat(embeddings.getMessage()).contains("the head of its response is malformed or too large");
        server.awaitClosedUnderIt(2);
    }

    @Test
    void aStreamThatGoesOnAfterItsEndMarkerCompletesTheAnswer() {
        server.answer("HTTP/1.1 200 OK", "text/event-stream",
                "data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"Hi\"}, \"finish_reason\": \"stop\"}]}"
                        + "\n\ndata: [DONE]\n\n", ": more\n\n");

        ChatResult result = providers.stream(endpoint(Type.OPENAI), "k",
                ChatRequest.of("m", List.of(ChatMessage.user("Hello"))), new ChatListener() {
                }).await(Duration.ofSeconds(15));

        assertThat(result.text()).isEqualTo("Hi");
        // What follows the end marker is read aside for a while, then the connection is closed.
        server.awaitClosedUnderIt(1);
    }

    @Test
    void aModelListThatNeverEndsIsRefusedAtItsLimit() {
        server.answer("HTTP/1.1 200 OK", "application/json", "{\"data\": [", "{\"id\": \"m\"},".repeat(256));

        ProviderFailure failure = catchThrowableOfType(ProviderFailure.class,
                () -> providers.listModels(endpoint(Type.OPENAI), "k"));

        assertThat(failure.code()).isEqualTo(ProviderFailure.INVALID_RESPONSE);
        assertThat(failure.getMessage()).contains("larger than 4194304 bytes");
        server.awaitClosedUnderIt(1);
    }

    @Test
    void anEmbeddingsAnswerThatNeverEndsIsRefusedAtItsLimit() {
        // One text per request: the limit is 1 MiB and 128 KiB for a vector.
        Embedders embedders = embedders(1);
        server.answer("HTTP/1.1 200 OK", "application/json", "{\"data\": [{\"index\": 0, \"embedding\": [",
                "0.125, ".repeat(1024));

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders.embedder("openai", "m", "k").embed(List.of("alpha")));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("larger than " + ((1 << 20) + 128 * 1024) + " bytes");
        server.awaitClosedUnderIt(1);
    }

    @Test
    void anEmbeddingsErrorWhoseExplanationNeverEndsIsRetriedAsItsStatusSays() {
        server.answer("HTTP/1.1 503 Service Unavailable", "application/json", "{\"error\": {\"message\": \"",
                "busy ".repeat(1024));

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders(64).embedder("openai", "m", "k").embed(List.of("alpha")));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.httpStatus()).isEqualTo(503);
        server.awaitClosedUnderIt(2);
    }

    private Embedders embedders(int batchSize) {
        ProviderProperties properties = new ProviderProperties(Map.of("openai", new Connection(Type.OPENAI,
                server.baseUrl())), new ProviderProperties.Embedding(Duration.ofSeconds(2), Duration.ofSeconds(20), 2,
                Duration.ofMillis(1), Duration.ofMillis(20), batchSize, 0));
        return new Embedders(properties, JsonMapper.builder().build(), new SimpleMeterRegistry());
    }

    private ProviderEndpoint endpoint(Type type) {
        return new ProviderEndpoint(new ProviderConnection("endless", type, server.baseUrl()), Map.of(), TIMEOUTS,
                true);
    }

    /** Answers every request with a head and a first part, then repeats a part until the client goes away. */
    private static final class EndlessServer implements AutoCloseable {

        private final ServerSocket socket;
        private final AtomicInteger closedUnderIt = new AtomicInteger();
        private volatile String status = "HTTP/1.1 200 OK";
        private volatile String type = "text/plain";
        private volatile String first = "";
        private volatile String repeated = "x";
        private volatile boolean endlessHead;

        EndlessServer() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException failed) {
                throw new IllegalStateException(failed);
            }
            Thread.ofVirtual().start(this::accept);
        }

        URI baseUrl() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
        }

        void answer(String status, String type, String first, String repeated) {
            this.status = status;
            this.type = type;
            this.first = first;
            this.repeated = repeated;
        }

        /** Answers with a status line, then one header line that never ends. */
        void endlessHead() {
            endlessHead = true;
        }

        void awaitClosedUnderIt(int connections) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (closedUnderIt.get() < connections && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            assertThat(closedUnderIt.get()).as("connections the client closed").isGreaterThanOrEqualTo(connections);
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Thread.ofVirtual().start(() -> serve(client));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            try (client) {
                skipRequest(client.getInputStream());
                OutputStream out = client.getOutputStream();
                if (endlessHead) {
                    out.write("HTTP/1.1 200 OK\r\nX-Endless: ".getBytes(StandardCharsets.US_ASCII));
                    byte[] more = "a".repeat(4096).getBytes(StandardCharsets.US_ASCII);
                    while (true) {
                        out.write(more);
                        out.flush();
                    }
                }
                out.write((status + "\r\nContent-Type: " + type + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                chunk(out, first);
                while (true) {
                    chunk(out, repeated);
                }
            } catch (IOException gone) {
                closedUnderIt.incrementAndGet();
            }
        }

        private static void skipRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("no request");
                }
                head.append((char) b);
            }
            String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
            int at = lower.indexOf("content-length:");
            if (at >= 0) {
                int end = lower.indexOf("\r\n", at);
                in.readNBytes(Integer.parseInt(lower.substring(at + 15, end).strip()));
            }
        }

        private static void chunk(OutputStream out, String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
