package org.atrium.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * A real embeddings server on a free loopback port, speaking OpenAI's wire format under {@code /v1/embeddings} and
 * Ollama's under {@code /api/embed}, for tests in this JVM and for Atrium processes started by tests. Every method is
 * thread-safe; requests are served on virtual threads.
 *
 * <p>Vectors are deterministic. By default each is derived from a hash of the text (same text, same vector; similar
 * texts are not similar). Built {@link #withKeywords(String...) with keywords}, dimension {@code i} counts keyword
 * {@code i} in the lower-cased text (plus a small epsilon, so no vector is zero), normalised: a query "kiwi" is then
 * closest to the chunks that mention kiwi most. Built {@link #bagOfWords(int) as a bag of words}, vectors come from
 * {@link BagOfWords}: texts sharing words are neighbours, for benchmarks that need real neighbourhood structure.
 * The server keeps nothing per text; a test that needs every text it embedded registers an
 * {@link #onEmbedded listener}.
 *
 * <p>Each request goes through, in order: counting, the scripted delay, a scripted {@link #failNext failure}, the
 * {@link #requireBearer bearer check}, the {@link #failWhenInputContains marker check}, then the answer. The OpenAI
 * answer lists {@code data} in reverse order, so that a client which ignores {@code index} is caught. Error bodies use
 * each API's own shape; a 401 quotes the key it received, as careless gateways do, so that redaction can be tested.
 */
public final class FakeEmbeddingServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final float EPSILON = 0.01f;

    private final HttpServer server;
    private final ExecutorService executor;
    private final int dimension;
    private final List<String> keywords;
    private final @Nullable BagOfWords bagOfWords;

    private final ConcurrentLinkedQueue<Integer> scriptedFailures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Duration> scriptedDelays = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> failingMarkers = new LinkedHashMap<>();
    private final AtomicInteger vectorsToOmit = new AtomicInteger();
    private final AtomicReference<Duration> delayEach = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<@Nullable String> requiredBearer = new AtomicReference<>();
    private final AtomicReference<@Nullable BiConsumer<String, float[]>> embeddedListener = new AtomicReference<>();

    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger textsEmbedded = new AtomicInteger();
    private final List<Integer> batchSizes = new ArrayList<>();
    private final AtomicReference<@Nullable String> lastAuthorization = new AtomicReference<>();
    private final AtomicReference<@Nullable String> lastModel = new AtomicReference<>();

    private FakeEmbeddingServer(int dimension, List<String> keywords, @Nullable BagOfWords bagOfWords) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1");
        }
        this.dimension = dimension;
        this.keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        this.bagOfWords = bagOfWords;
        try {
            server = LoopbackHttpServer.create();
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/v1/embeddings", exchange -> serve(exchange, true));
        server.createContext("/api/embed", exchange -> serve(exchange, false));
        server.start();
    }

    /** @return a server answering with 8-dimensional hash vectors */
    public static FakeEmbeddingServer start() {
        return start(8);
    }

    /**
     * @param dimension the vector size
     * @return a server answering with hash vectors of that size
     */
    public static FakeEmbeddingServer start(int dimension) {
        return new FakeEmbeddingServer(dimension, List.of(), null);
    }

    /**
     * @param dimension the vector size
     * @return a server answering with {@link BagOfWords} vectors of that size
     */
    public static FakeEmbeddingServer bagOfWords(int dimension) {
        return new FakeEmbeddingServer(dimension, List.of(), new BagOfWords(dimension));
    }

    /**
     * @param keywords one dimension each, matched case-insensitively as substrings
     * @return a server answering with keyword-count vectors
     */
    public static FakeEmbeddingServer withKeywords(String... keywords) {
        if (keywords.length == 0 || Arrays.stream(keywords).anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("give at least one keyword, none blank");
        }
        return new FakeEmbeddingServer(keywords.length, List.of(keywords), null);
    }

    /** @return {@code http://127.0.0.1:<port>/v1}, the base URL of an OPENAI connection */
    public String openAiBaseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** @return {@code http://127.0.0.1:<port>}, the base URL of an OLLAMA connection */
    public String ollamaBaseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** @return the port */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return the size of every vector this server answers with */
    public int dimension() {
        return dimension;
    }

    /**
     * @param text a text
     * @return the vector this server gives it
     */
    public float[] vectorOf(String text) {
        if (bagOfWords != null) {
            return bagOfWords.vectorOf(text);
        }
        float[] vector = new float[dimension];
        if (keywords.isEmpty()) {
            SplittableRandom random = new SplittableRandom(seed(text));
            for (int i = 0; i < dimension; i++) {
                vector[i] = (float) (random.nextDouble() * 2 - 1);
            }
        } else {
            String lower = text.toLowerCase(Locale.ROOT);
            for (int i = 0; i < dimension; i++) {
                vector[i] = occurrences(lower, keywords.get(i)) + EPSILON;
            }
        }
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimension; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    /**
     * Makes the next {@code count} requests fail with {@code status} (429 and 503 carry {@code Retry-After: 0}).
     * Calls queue up: {@code failNext(1, 429); failNext(1, 500)} fails the next two with 429 then 500.
     *
     * @return this server
     */
    public FakeEmbeddingServer failNext(int count, int status) {
        for (int i = 0; i < count; i++) {
            scriptedFailures.add(status);
        }
        return this;
    }

    /** Makes every request wait before being answered. @return this server */
    public FakeEmbeddingServer delayEachRequest(Duration delay) {
        delayEach.set(Objects.requireNonNull(delay));
        return this;
    }

    /** Makes the next {@code count} requests wait (instead of the {@link #delayEachRequest} delay). @return this */
    public FakeEmbeddingServer delayNext(int count, Duration delay) {
        for (int i = 0; i < count; i++) {
            scriptedDelays.add(delay);
        }
        return this;
    }

    /** Answers 401 unless {@code Authorization: Bearer <token>} is sent; null accepts anything. @return this */
    public FakeEmbeddingServer requireBearer(@Nullable String token) {
        requiredBearer.set(token);
        return this;
    }

    /** Fails every request with a text containing {@code marker} with {@code status}, for good. @return this */
    public FakeEmbeddingServer failWhenInputContains(String marker, int status) {
        synchronized (failingMarkers) {
            failingMarkers.put(marker, status);
        }
        return this;
    }

    /**
     * Stops failing requests that contain the marker.
     *
     * @param marker a marker given to {@link #failWhenInputContains}
     * @return this server
     */
    public FakeEmbeddingServer stopFailingWhenInputContains(String marker) {
        synchronized (failingMarkers) {
            failingMarkers.remove(marker);
        }
        return this;
    }

    /** Leaves the last vector out of the next {@code count} successful answers. @return this server */
    public FakeEmbeddingServer omitVectorNext(int count) {
        vectorsToOmit.addAndGet(count);
        return this;
    }

    /**
     * Calls {@code listener} with every text and its vector in a successful answer, on the serving thread, before
     * the answer is sent; null stops calling. Survives {@link #reset()}.
     *
     * @return this server
     */
    public FakeEmbeddingServer onEmbedded(@Nullable BiConsumer<String, float[]> listener) {
        embeddedListener.set(listener);
        return this;
    }

    /** @return requests received on either endpoint, answered or not */
    public int requests() {
        return requests.get();
    }

    /** @return texts in successful answers */
    public int textsEmbedded() {
        return textsEmbedded.get();
    }

    /** @return the number of texts in each request received, in arrival order */
    public List<Integer> batchSizes() {
        synchronized (batchSizes) {
            return List.copyOf(batchSizes);
        }
    }

    /** @return the last {@code Authorization} header received, or null if the last request had none */
    public @Nullable String lastAuthorization() {
        return lastAuthorization.get();
    }

    /** @return the model named by the last request */
    public @Nullable String lastModel() {
        return lastModel.get();
    }

    /** Forgets every script and counter (the keywords and dimension stay). */
    public void reset() {
        scriptedFailures.clear();
        scriptedDelays.clear();
        synchronized (failingMarkers) {
            failingMarkers.clear();
        }
        vectorsToOmit.set(0);
        delayEach.set(Duration.ZERO);
        requiredBearer.set(null);
        requests.set(0);
        textsEmbedded.set(0);
        synchronized (batchSizes) {
            batchSizes.clear();
        }
        lastAuthorization.set(null);
        lastModel.set(null);
    }

    @Override
    public void close() {
        server.stop(0);
        // Interrupts handlers still sleeping in a scripted delay, whose clients have long given up.
        executor.shutdownNow();
        executor.close();
    }

    private void serve(HttpExchange exchange, boolean openAi) {
        try (exchange) {
            requests.incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            lastAuthorization.set(authorization);
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, error(openAi, 405, "", authorization));
                return;
            }
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                body = JSON.readTree(in.readAllBytes());
            } catch (RuntimeException notJson) {
                answer(exchange, 400, error(openAi, 400, "", authorization));
                return;
            }
            String model = body.path("model").asString("");
            lastModel.set(model);
            List<String> texts = texts(body.path("input"));
            synchronized (batchSizes) {
                batchSizes.add(texts.size());
            }
            Duration delay = scriptedDelays.poll();
            sleep(delay != null ? delay : delayEach.get());
            Integer failure = scriptedFailures.poll();
            if (failure != null) {
                answer(exchange, failure, error(openAi, failure, model, authorization));
                return;
            }
            String bearer = requiredBearer.get();
            if (bearer != null && !("Bearer " + bearer).equals(authorization)) {
                answer(exchange, 401, error(openAi, 401, model, authorization));
                return;
            }
            Integer marked = markedFailure(texts);
            if (marked != null) {
                answer(exchange, marked, error(openAi, marked, model, authorization));
                return;
            }
            answer(exchange, 200, openAi ? openAiAnswer(model, texts) : ollamaAnswer(model, texts));
        } catch (IOException clientGone) {
            // The client timed out and closed the connection while we were waiting; nothing to answer.
        }
    }

    private Map<String, Object> openAiAnswer(String model, List<String> texts) {
        List<Map<String, Object>> data = new ArrayList<>();
        List<float[]> vectors = vectors(texts);
        for (int i = vectors.size() - 1; i >= 0; i--) {
            data.add(Map.of("object", "embedding", "index", i, "embedding", vectors.get(i)));
        }
        int tokens = texts.stream().mapToInt(t -> t.split("\\s+").length).sum();
        return Map.of("object", "list", "data", data, "model", model,
                "usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
    }

    private Map<String, Object> ollamaAnswer(String model, List<String> texts) {
        return Map.of("model", model, "embeddings", vectors(texts), "total_duration", 1_000_000,
                "prompt_eval_count", texts.size());
    }

    private List<float[]> vectors(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.stream().map(this::vectorOf).toList());
        if (!vectors.isEmpty() && vectorsToOmit.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            vectors.removeLast();
        }
        textsEmbedded.addAndGet(vectors.size());
        BiConsumer<String, float[]> listener = embeddedListener.get();
        if (listener != null) {
            for (int i = 0; i < vectors.size(); i++) {
                listener.accept(texts.get(i), vectors.get(i));
            }
        }
        return vectors;
    }

    private static Map<String, Object> error(boolean openAi, int status, String model, @Nullable String authorization) {
        String message = switch (status) {
            case 401 -> "Incorrect API key provided: " + (authorization == null ? "none"
                    : authorization.replaceFirst("^Bearer ", "")) + ".";
            case 404 -> openAi ? "The model `" + model + "` does not exist or you do not have access to it."
                    : "model \"" + model + "\" not found, try pulling it first";
            case 429 -> "Rate limit reached for requests. Please try again in 0s.";
            case 400 -> "This model's maximum context length is 8192 tokens; the input is too long.";
            default -> status >= 500 ? "The server had an error while processing your request."
                    : "Request failed with status " + status + ".";
        };
        if (!openAi) {
            return Map.of("error", message);
        }
        String code = switch (status) {
            case 401 -> "invalid_api_key";
            case 404 -> "model_not_found";
            case 429 -> "rate_limit_exceeded";
            default -> "error_" + status;
        };
        return Map.of("error", Map.of("message", message,
                "type", status >= 500 ? "server_error" : "invalid_request_error", "code", code));
    }

    private static void answer(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (status == 429 || status == 503) {
            exchange.getResponseHeaders().set("Retry-After", "0");
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private @Nullable Integer markedFailure(List<String> texts) {
        synchronized (failingMarkers) {
            for (Map.Entry<String, Integer> marker : failingMarkers.entrySet()) {
                if (texts.stream().anyMatch(t -> t.contains(marker.getKey()))) {
                    return marker.getValue();
                }
            }
        }
        return null;
    }

    private static List<String> texts(JsonNode input) {
        if (input.isString()) {
            return List.of(input.asString());
        }
        return input.values().stream().map(JsonNode::asString).toList();
    }

    private static int occurrences(String text, String keyword) {
        int count = 0;
        for (int at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + keyword.length())) {
            count++;
        }
        return count;
    }

    private static long seed(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < 8; i++) {
                seed = (seed << 8) | (hash[i] & 0xff);
            }
            return seed;
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void sleep(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
