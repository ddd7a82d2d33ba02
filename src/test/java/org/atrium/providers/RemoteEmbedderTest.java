package org.atrium.providers;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.atrium.providers.ProviderConnection.Type;
import org.atrium.providers.ProviderProperties.Connection;
import org.atrium.testing.FakeEmbeddingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The OpenAI-compatible and Ollama clients against a real HTTP server on loopback. */
class RemoteEmbedderTest {

    private static final String SECRET = "sk-test-Secret-0123456789-do-not-leak";
    /** Retries wait 1 to 20 ms unless the provider says otherwise. */
    private static final ProviderProperties.Embedding FAST = settings(Duration.ofSeconds(5), 3, Duration.ofMillis(1));

    private final FakeEmbeddingServer server = FakeEmbeddingServer.start();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ProviderLogs logs = new ProviderLogs();

    @AfterEach
    void stop() {
        logs.close();
        server.close();
    }

    @Test
    void openAiVectorsComeBackInTheOrderOfTheTextsWhateverTheOrderOfData() {
        Embedder embedder = embedders(FAST).embedder("openai", "text-embedding-3-small", SECRET);

        List<float[]> vectors = embedder.embed(List.of("alpha", "beta", "gamma"));

        // The fake lists data in reverse order, so only ordering by index gives this.
        assertThat(vectors).hasSize(3);
        assertThat(vectors.get(0)).containsExactly(server.vectorOf("alpha"));
        assertThat(vectors.get(1)).containsExactly(server.vectorOf("beta"));
        assertThat(vectors.get(2)).containsExactly(server.vectorOf("gamma"));
        assertThat(vectors).allSatisfy(v -> assertThat(v).hasSize(8));
        assertThat(server.lastAuthorization()).isEqualTo("Bearer " + SECRET);
        assertThat(server.lastModel()).isEqualTo("text-embedding-3-small");
        assertThat(embedder.connection()).isEqualTo("openai");
        assertThat(embedder.model()).isEqualTo("text-embedding-3-small");
    }

    @Test
    void ollamaWorksWithoutACredentialAndSendsOneWhenGiven() {
        Embedders embedders = embedders(FAST);

        List<float[]> vectors = embedders.embedder("ollama", "nomic-embed-text", null).embed(List.of("one", "two"));
        assertThat(server.lastAuthorization()).isNull();
        embedders.embedder("ollama", "nomic-embed-text", "ollama-token").embed(List.of("three"));

        assertThat(vectors).hasSize(2);
        assertThat(vectors.get(0)).containsExactly(server.vectorOf("one"));
        assertThat(vectors.get(1)).containsExactly(server.vectorOf("two"));
        assertThat(server.lastAuthorization()).isEqualTo("Bearer ollama-token");
        assertThat(server.lastModel()).isEqualTo("nomic-embed-text");
    }

    @Test
    void eachCallIsOneRequestBatchingIsTheCallers() {
        Embedder embedder = embedders(FAST).embedder("openai", "m", SECRET);
        List<String> texts = IntStream.range(0, 100).mapToObj(i -> "text " + i).toList();

        assertThat(embedder.batchSize()).isEqualTo(64);
        assertThat(embedder.embed(texts)).hasSize(100);
        assertThat(embedder.embed(List.of())).isEmpty();

        assertThat(server.batchSizes()).containsExactly(100);
        assertThat(server.textsEmbedded()).isEqualTo(100);
    }

    @Test
    void rateLimitIsRetriedAfterTheWaitTheProviderAsksFor() {
        // A 10 s backoff: the test only stays fast if Retry-After: 0 is honoured.
        Embedder embedder = embedders(settings(Duration.ofSeconds(5), 3, Duration.ofSeconds(10)))
                .embedder("openai", "m", SECRET);
        server.failNext(1, 429);
        long started = System.nanoTime();

        assertThat(embedder.embed(List.of("a", "b"))).hasSize(2);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(server.requests()).isEqualTo(2);
        assertThat(logs.events("provider.embeddings.retry")).singleElement().asString()
                .startsWith("WARN").contains("event=provider.embeddings.retry", "connection=openai", "model=m",
                        "attempt=1", "max_attempts=3", "status=429", "delay_ms=0");
        assertThat(timerCount("openai", "retry")).isEqualTo(1);
        assertThat(timerCount("openai", "success")).isEqualTo(1);
    }

    @Test
    void serverErrorsOnEveryAttemptEndInARetryableFailure() {
        Embedder embedder = embedders(FAST).embedder("openai", "m", SECRET);
        server.failNext(3, 500);

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class, () -> embedder.embed(List.of("a")));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.httpStatus()).isEqualTo(500);
        assertThat(failure).hasMessage("The embeddings provider 'openai' failed on all 3 attempts (last: 500 Internal"
                + " Server Error): The server had an error while processing your request. Try again later.");
        assertThat(server.requests()).isEqualTo(3);
        assertThat(logs.events("provider.embeddings.retry")).hasSize(2);
        assertThat(logs.events("provider.embeddings.failed")).singleElement().asString()
                .contains("retryable=true", "attempts=3");
        assertThat(timerCount("openai", "retry")).isEqualTo(2);
        assertThat(timerCount("openai", "failure")).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            openai | 400 | rejected the request for model 'm' (400 Bad Request): This model's maximum context length is 8192 tokens; the input is too long.
            openai | 404 | does not know model 'm' or the address http://127.0.0.1:PORT/v1/embeddings (404 Not Found): The model `m` does not exist or you do not have access to it. Check the model name and ATRIUM_PROVIDERS_CONNECTIONS_OPENAI_BASE_URL.
            ollama | 404 | does not know model 'm' or the address http://127.0.0.1:PORT/api/embed (404 Not Found): model "m" not found, try pulling it first. Check the model name and ATRIUM_PROVIDERS_CONNECTIONS_OLLAMA_BASE_URL.
            ollama | 400 | rejected the request for model 'm' (400 Bad Request): This model's maximum context length is 8192 tokens; the input is too long.
            """)
    void otherClientErrorsFailAtOnceWithTheProvidersExplanation(String connection, int status, String expected) {
        Embedder embedder = embedders(FAST).embedder(connection, "m", SECRET);
        server.failNext(1, status);

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class, () -> embedder.embed(List.of("a")));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.httpStatus()).isEqualTo(status);
        assertThat(failure).hasMessage("The embeddings provider '" + connection + "' "
                + expected.replace("PORT", String.valueOf(server.port())));
        assertThat(server.requests()).isEqualTo(1);
        assertThat(logs.events("provider.embeddings.retry")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"OPENAI", "OLLAMA"})
    void aWrongCredentialFailsAtOnceAndTheSecretAppearsNowhere(Type type) {
        String connection = type.name().toLowerCase();
        Embedder embedder = embedders(FAST).embedder(connection, "m", SECRET);
        server.requireBearer("the-right-key");
        // a retried 500 first, so that retry lines are logged too
        server.failNext(1, 500);

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class, () -> embedder.embed(List.of("a")));

        assertThat(server.lastAuthorization()).isEqualTo("Bearer " + SECRET);
        assertThat(server.requests()).isEqualTo(2);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.httpStatus()).isEqualTo(401);
        // The fake quotes the key it received, as careless gateways do.
        assertThat(failure).hasMessage("The embeddings provider '" + connection + "' refused the request (401"
                + " Unauthorized): Incorrect API key provided: [redacted]. An admin must check the credential for"
                + " connection '" + connection + "'.");
        assertThat(logs.lines()).hasSizeGreaterThanOrEqualTo(2).noneMatch(line -> line.contains(SECRET));
        assertThat(failure.toString()).doesNotContain(SECRET);
    }

    @Test
    void aTimeoutIsRetried() {
        Embedder embedder = embedders(settings(Duration.ofMillis(300), 3, Duration.ofMillis(1)))
                .embedder("openai", "m", SECRET);
        server.delayNext(1, Duration.ofSeconds(2));

        assertThat(embedder.embed(List.of("slow"))).hasSize(1);

        assertThat(server.requests()).isEqualTo(2);
        assertThat(logs.events("provider.embeddings.retry")).singleElement().asString()
                .contains("reason=timeout", "error=no answer within 300ms");
    }

    @Test
    void timeoutsOnEveryAttemptEndInARetryableFailureWithoutStatus() {
        Embedder embedder = embedders(settings(Duration.ofMillis(200), 2, Duration.ofMillis(1)))
                .embedder("ollama", "m", null);
        server.delayEachRequest(Duration.ofSeconds(1));

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class, () -> embedder.embed(List.of("a")));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.httpStatus()).isNull();
        assertThat(failure).hasMessage("The embeddings provider 'ollama' did not answer within 200ms in 2 attempts."
                + " Try again later, or raise ATRIUM_PROVIDERS_EMBEDDING_REQUEST_TIMEOUT.");
    }

    @Test
    void anUnreachableProviderIsARetryableFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/v1");
        Embedders embedders = new Embedders(new ProviderProperties(
                Map.of("openai", new Connection(Type.OPENAI, nowhere)), FAST), JsonMapper.builder().build(), meters);

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders.embedder("openai", "m", SECRET).embed(List.of("a")));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.httpStatus()).isNull();
        assertThat(failure).hasMessage("Could not reach the embeddings provider 'openai' at " + nowhere + " in 3"
                + " attempts (connection refused). Check that it is running and that"
                + " ATRIUM_PROVIDERS_CONNECTIONS_OPENAI_BASE_URL is right.");
        assertThat(logs.events("provider.embeddings.retry")).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("reason=connection_failed"));
    }

    @Test
    void aResponseWithTheWrongNumberOfVectorsIsAPermanentFailure() {
        Embedder embedder = embedders(FAST).embedder("openai", "m", SECRET);
        server.omitVectorNext(1);

        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedder.embed(List.of("a", "b")));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure).hasMessage("The embeddings provider 'openai' answered with something Atrium cannot use:"
                + " it sent 1 vector for 2 texts. Check that connection 'openai' points at an OpenAI-compatible API"
                + " and that 'm' is an embedding model.");
        assertThat(server.requests()).isEqualTo(1);

        server.omitVectorNext(1);
        EmbeddingFailure ollama = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders(FAST).embedder("ollama", "m", null).embed(List.of("a", "b")));
        assertThat(ollama.retryable()).isFalse();
        assertThat(ollama.getMessage()).contains("it sent 1 vector for 2 texts", "points at Ollama");
    }

    @Test
    void aDocumentThatAlwaysFailsFailsAloneAndPermanently() {
        Embedder embedder = embedders(FAST).embedder("openai", "m", SECRET);
        server.failWhenInputContains("POISON", 400);

        assertThat(embedder.embed(List.of("fine"))).hasSize(1);
        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedder.embed(List.of("fine", "a POISON pill")));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.httpStatus()).isEqualTo(400);
        assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void blankTextsAreRefusedBeforeAnyRequest() {
        Embedder embedder = embedders(FAST).embedder("openai", "m", SECRET);

        assertThatThrownBy(() -> embedder.embed(List.of("fine", "  ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Text 2 of 2 is blank: there is nothing to embed");
        assertThat(server.requests()).isZero();
    }

    @Test
    void anOpenAiConnectionNeedsACredential() {
        Embedders embedders = embedders(FAST);

        assertThat(embedders.connection("openai")).get().extracting(ProviderConnection::requiresCredential)
                .isEqualTo(true);
        assertThat(embedders.connection("ollama")).get().extracting(ProviderConnection::requiresCredential)
                .isEqualTo(false);
        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders.embedder("openai", "m", " "));
        assertThat(failure.retryable()).isFalse();
        assertThat(failure).hasMessageStartingWith("Connection 'openai' needs a credential (an API key or a virtual"
                + " key) and none applies here.");
    }

    @Test
    void aPastedCredentialLosesItsTrailingNewline() {
        embedders(FAST).embedder("openai", "m", SECRET + "\n").embed(List.of("a"));

        assertThat(server.lastAuthorization()).isEqualTo("Bearer " + SECRET);
    }

    @Test
    void aCredentialWithALineBreakIsRefusedWithoutQuotingIt() {
        EmbeddingFailure failure = catchThrowableOfType(EmbeddingFailure.class,
                () -> embedders(FAST).embedder("openai", "m", SECRET + "\r\nX-Injected: 1"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("cannot be sent in an HTTP header").doesNotContain(SECRET);
    }

    private Embedders embedders(ProviderProperties.Embedding settings) {
        ProviderProperties properties = new ProviderProperties(Map.of(
                "openai", new Connection(Type.OPENAI, URI.create(server.openAiBaseUrl() + "/")),
                "ollama", new Connection(Type.OLLAMA, URI.create(server.ollamaBaseUrl()))), settings);
        return new Embedders(properties, JsonMapper.builder().build(), meters);
    }

    private static ProviderProperties.Embedding settings(Duration requestTimeout, int maxAttempts,
                                                         Duration initialBackoff) {
        Duration maxBackoff = initialBackoff.multipliedBy(20);
        return new ProviderProperties.Embedding(Duration.ofSeconds(2), requestTimeout, maxAttempts, initialBackoff,
                maxBackoff, 64, 0);
    }

    private long timerCount(String provider, String outcome) {
        var timer = meters.find("atrium.provider.requests").tag("provider", provider).tag("operation", "embeddings")
                .tag("model", "m").tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }
}
