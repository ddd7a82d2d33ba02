package org.atrium.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A chat provider on a free loopback port that speaks all four wire formats Atrium calls, with their real framing:
 * OpenAI's chat completions SSE ({@code data:} lines, {@code [DONE]}) under {@link #openAiBaseUrl()}, Ollama's NDJSON
 * under {@link #ollamaBaseUrl()}, Anthropic's Messages SSE (named events from {@code message_start} to
 * {@code message_stop}, with a {@code ping}) under {@link #anthropicBaseUrl()}, and Gemini's
 * {@code streamGenerateContent?alt=sse} (CRLF-separated events, no end marker) under {@link #geminiBaseUrl()}; plus
 * each kind's model list ({@code /v1/models}, {@code /api/tags}, Anthropic's and Gemini's paged lists).
 *
 * <p>Each chat request takes the next {@link Script} queued with {@link #enqueue}, or the default one (answer
 * {@code "Hello from the fake"} in 3 chunks with usage 12/5). A script can answer text in N chunks, call a tool,
 * report usage or not, wait before the first byte, stall after some chunks, fail with a status (and Retry-After), or
 * drop the connection mid-stream. Every request is recorded ({@link #requests()}) for tests to check the translation.
 * Thread-safe; requests are served on virtual threads.
 */
public final class FakeChatServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long the stream waits after its first write after a stall, for a departed client's reset to arrive. */
    private static final Duration AFTER_STALL = Duration.ofMillis(50);

    /**
     * What to answer one chat request with. Build from {@link #text(String)} or {@link #failure(int)} and refine
     * with the {@code with...} methods.
     *
     * @param text              the answer text (empty for none)
     * @param chunks            how many pieces the text is streamed in
     * @param toolCall          a tool call to make after the text, if any
     * @param inputTokens       reported input tokens, or -1 to report no usage
     * @param outputTokens      reported output tokens
     * @param finishReason      the neutral finish reason to send in the kind's own words: stop, length, tool_calls,
     *                          content_filter
     * @param beforeFirstByte   wait before the response headers
     * @param stallAfter        after this many text chunks, stay silent for {@code stall} (-1: never)
     * @param stall             how long to stall
     * @param dropAfter         after this many text chunks, cut the connection without ending the stream (-1: never)
     * @param status            non-200: answer this error status instead of streaming
     * @param retryAfterSeconds with {@code status}: the {@code Retry-After} header (-1: none)
     * @param errorMessage      with {@code status}: the provider's explanation
     */
    public record Script(String text, int chunks, @Nullable ToolCall toolCall, int inputTokens, int outputTokens,
                         String finishReason, Duration beforeFirstByte, int stallAfter, Duration stall, int dropAfter,
                         int status, int retryAfterSeconds, String errorMessage, String streamError) {

        /**
         * @param text the answer
         * @return a script answering it in 3 chunks with usage 12/5
         */
        public static Script text(String text) {
            return new Script(text, 3, null, 12, 5, "stop", Duration.ZERO, -1, Duration.ZERO, -1, 200, -1, "", "");
        }

        /**
         * @param status the error status
         * @return a script failing with it, in the kind's own error shape
         */
        public static Script failure(int status) {
            return text("").withStatus(status, -1, "scripted failure " + status);
        }

        /** @return the same in {@code n} chunks */
        public Script inChunks(int n) {
            return new Script(text, n, toolCall, inputTokens, outputTokens, finishReason, beforeFirstByte, stallAfter,
                    stall, dropAfter, status, retryAfterSeconds, errorMessage, streamError);
        }

        /** @return the same, then a call of tool {@code name} with these JSON arguments; finish reason tool_calls */
        public Script withToolCall(String id, String name, String argumentsJson) {
            return new Script(text, chunks, new ToolCall(id, name, argumentsJson), inputTokens, outputTokens,
                    "tool_calls", beforeFirstByte, stallAfter, stall, dropAfter, status, retryAfterSeconds,
                    errorMessage, streamError);
        }

        /** @return the same with this usage reported */
        public Script withUsage(int input, int output) {
            return new Script(text, chunks, toolCall, input, output, finishReason, beforeFirstByte, stallAfter, stall,
                    dropAfter, status, retryAfterSeconds, errorMessage, streamError);
        }

        /** @return the same without any usage in the stream */
        public Script withoutUsage() {
            return withUsage(-1, -1);
        }

        /** @return the same with another finish reason (stop, length, tool_calls, content_filter) */
        public Script withFinish(String reason) {
            return new Script(text, chunks, toolCall, inputTokens, outputTokens, reason, beforeFirstByte, stallAfter,
                    stall, dropAfter, status, retryAfterSeconds, errorMessage, streamError);
        }

        /** @return the same, sent only after waiting this long (before any byte, headers included) */
        public Script slowStart(Duration wait) {
            return new Script(text, chunks, toolCall, inputTokens, outputTokens, finishReason, wait, stallAfter, stall,
                    dropAfter, status, retryAfterSeconds, errorMessage, streamError);
        }

        /** @return the same, silent for {@code wait} after {@code chunks} text chunks */
        public Script stallAfter(int chunks, Duration wait) {
            return new Script(text, this.chunks, toolCall, inputTokens, outputTokens, finishReason, beforeFirstByte,
                    chunks, wait, dropAfter, status, retryAfterSeconds, errorMessage, streamError);
        }

        /** @return the same, cut off after {@code chunks} text chunks */
        public Script dropAfter(int chunks) {
            return new Script(text, this.chunks, toolCall, inputTokens, outputTokens, finishReason, beforeFirstByte,
                    stallAfter, stall, chunks, status, retryAfterSeconds, errorMessage, streamError);
        }

        /** @return the same, reporting this error inside the stream after its text instead of finishing */
        public Script failMidStream(String message) {
            return new Script(text, chunks, toolCall, inputTokens, outputTokens, finishReason, beforeFirstByte,
                    stallAfter, stall, dropAfter, status, retryAfterSeconds, errorMessage, message);
        }

        /** @return the same failing with {@code status}, {@code Retry-After} seconds (-1: none) and a message */
        public Script withStatus(int status, int retryAfterSeconds, String message) {
            return new Script(text, chunks, toolCall, inputTokens, outputTokens, finishReason, beforeFirstByte,
                    stallAfter, stall, dropAfter, status, retryAfterSeconds, message, streamError);
        }
    }

    /**
     * A tool call a script makes.
     *
     * @param id            its id
     * @param name          the tool's name
     * @param argumentsJson the arguments, a JSON object
     */
    public record ToolCall(String id, String name, String argumentsJson) {
    }

    /**
     * One request the server received.
     *
     * @param kind    openai, ollama, anthropic or gemini
     * @param method  the HTTP method
     * @param path    the path with the query
     * @param headers the headers, lower-case names, first value each
     * @param body    the JSON body, or an empty object
     * @param port    the client's port (the same for requests over one kept-alive connection)
     */
    public record Received(String kind, String method, String path, Map<String, String> headers, JsonNode body,
                           int port) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicReference<List<String>> models = new AtomicReference<>(List.of("model-a", "model-b"));
    private final AtomicInteger pageSize = new AtomicInteger(1000);
    private final AtomicReference<@Nullable Script> modelsFailure = new AtomicReference<>();
    private final AtomicReference<@Nullable String> requiredCredential = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicBoolean omitEndMarkers =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    /** Raised by {@link #reset()}: a stream of an earlier test that ends after it is not counted. */
    private final AtomicInteger epoch = new AtomicInteger();

    private FakeChatServer() {
        try {
            server = LoopbackHttpServer.create();
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/v1/", exchange -> serve(exchange, "openai"));
        server.createContext("/api/", exchange -> serve(exchange, "ollama"));
        server.createContext("/anthropic/", exchange -> serve(exchange, "anthropic"));
        server.createContext("/gemini/", exchange -> serve(exchange, "gemini"));
        server.start();
    }

    /** @return a started server */
    public static FakeChatServer start() {
        return new FakeChatServer();
    }

    /** @return the base URL of an OPENAI connection ({@code http://127.0.0.1:<port>/v1}) */
    public String openAiBaseUrl() {
        return root() + "/v1";
    }

    /** @return the base URL of an OLLAMA connection */
    public String ollamaBaseUrl() {
        return root();
    }

    /** @return the base URL of an ANTHROPIC connection ({@code /v1/messages} is appended to it) */
    public String anthropicBaseUrl() {
        return root() + "/anthropic";
    }

    /** @return the base URL of a GEMINI connection ({@code /v1beta/...} is appended to it) */
    public String geminiBaseUrl() {
        return root() + "/gemini";
    }

    private String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * @param next scripts for the next chat requests, in order
     * @return this
     */
    public FakeChatServer enqueue(Script... next) {
        scripts.addAll(List.of(next));
        return this;
    }

    /**
     * @param ids the models every list endpoint reports (Gemini's also lists an embedding model, which clients must
     *            drop)
     * @return this
     */
    public FakeChatServer models(String... ids) {
        models.set(List.of(ids));
        return this;
    }

    /**
     * @param size models per page on the paged lists (Anthropic, Gemini)
     * @return this
     */
    public FakeChatServer pageSize(int size) {
        pageSize.set(size);
        return this;
    }

    /**
     * @param failure a {@link Script#failure} to answer model lists with, or null to answer normally
     * @return this
     */
    public FakeChatServer failModels(@Nullable Script failure) {
        modelsFailure.set(failure);
        return this;
    }

    /**
     * Answers 401 (in the kind's error shape) to every request that does not carry this credential where the kind
     * expects it: {@code Authorization: Bearer} (OpenAI, Ollama), {@code x-api-key} (Anthropic),
     * {@code x-goog-api-key} (Gemini).
     *
     * @param credential the credential, or null to accept any request
     * @return this
     */
    public FakeChatServer requireCredential(@Nullable String credential) {
        requiredCredential.set(credential);
        return this;
    }

    /**
     * @param omit true to end OpenAI streams without {@code data: [DONE]} and Anthropic streams without
     *             {@code message_stop} (as some compatible servers and proxies do), closing after the finish reason
     * @return this
     */
    public FakeChatServer omitEndMarkers(boolean omit) {
        omitEndMarkers.set(omit);
        return this;
    }

    /** @return every request received so far, oldest first */
    public List<Received> requests() {
        return List.copyOf(received);
    }

    /** @return the last chat request received (not model lists) */
    public Received lastChat() {
        return requests().reversed().stream().filter(r -> r.method().equals("POST")).findFirst().orElseThrow();
    }

    /** @return how many streams stopped because the client went away before the end */
    public int disconnects() {
        return disconnects.get();
    }

    /** @return how many streams were written to their end */
    public int completed() {
        return completed.get();
    }

    /** Forgets scripts, requests and counters. */
    public void reset() {
        scripts.clear();
        received.clear();
        epoch.incrementAndGet();
        disconnects.set(0);
        completed.set(0);
        modelsFailure.set(null);
        requiredCredential.set(null);
        omitEndMarkers.set(false);
        pageSize.set(1000);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        executor.close();
    }

    private void serve(HttpExchange exchange, String kind) {
        try (exchange) {
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] bytes = in.readAllBytes();
                body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            }
            Map<String, String> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(java.util.Locale.ROOT), values.getFirst()));
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            received.add(new Received(kind, exchange.getRequestMethod(), query == null ? path : path + "?" + query,
                    headers, body, exchange.getRemoteAddress().getPort()));
            String required = requiredCredential.get();
            if (required != null && !required.equals(credential(kind, headers))) {
                error(exchange, kind, Script.failure(401).withStatus(401, -1, "Invalid credential"));
                return;
            }
            if (exchange.getRequestMethod().equals("GET")) {
                listModels(exchange, kind, query);
            } else {
                Script script = scripts.poll();
                chat(exchange, kind, script == null ? Script.text("Hello from the fake") : script, body);
            }
        } catch (IOException | RuntimeException gone) {
            // The client went away; tests look at the counters.
        }
    }

    private static @Nullable String credential(String kind, Map<String, String> headers) {
        return switch (kind) {
            case "anthropic" -> headers.get("x-api-key");
            case "gemini" -> headers.get("x-goog-api-key");
            default -> {
                String authorization = headers.get("authorization");
                yield authorization != null && authorization.startsWith("Bearer ")
                        ? authorization.substring("Bearer ".length()) : null;
            }
        };
    }

    private void listModels(HttpExchange exchange, String kind, @Nullable String query) throws IOException {
        Script failure = modelsFailure.get();
        if (failure != null) {
            sleep(failure.beforeFirstByte());
            error(exchange, kind, failure);
            return;
        }
        List<String> ids = models.get();
        ObjectNode answer = JSON.createObjectNode();
        switch (kind) {
            case "openai" -> {
                ArrayNode data = answer.put("object", "list").putArray("data");
                ids.forEach(id -> data.addObject().put("id", id).put("object", "model").put("owned_by", "fake"));
            }
            case "ollama" -> {
                ArrayNode list = answer.putArray("models");
                ids.forEach(id -> list.addObject().put("name", id).put("model", id).put("size", 1234));
            }
            case "anthropic" -> {
                String after = parameter(query, "after_id");
                int from = after == null ? 0 : ids.indexOf(after) + 1;
                int to = Math.min(ids.size(), from + pageSize.get());
                ArrayNode data = answer.putArray("data");
                ids.subList(from, to).forEach(id -> data.addObject().put("type", "model").put("id", id)
                        .put("display_name", "Display " + id).put("created_at", "2025-01-01T00:00:00Z"));
                answer.put("has_more", to < ids.size());
                answer.put("first_id", from < to ? ids.get(from) : null);
                answer.put("last_id", from < to ? ids.get(to - 1) : null);
            }
            default -> {
                String token = parameter(query, "pageToken");
                int from = token == null ? 0 : Integer.parseInt(token);
                int to = Math.min(ids.size(), from + pageSize.get());
                ArrayNode list = answer.putArray("models");
                ids.subList(from, to).forEach(id -> {
                    ObjectNode model = list.addObject().put("name", "models/" + id).put("displayName", "Display " + id)
                            .put("inputTokenLimit", 1048576).put("outputTokenLimit", 65536);
                    model.putArray("supportedGenerationMethods").add("generateContent").add("countTokens");
                });
                if (from == 0) {
                    ObjectNode embedding = list.addObject().put("name", "models/text-embedding-004");
                    embedding.putArray("supportedGenerationMethods").add("embedContent");
                }
                if (to < ids.size()) {
                    answer.put("nextPageToken", Integer.toString(to));
                }
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static @Nullable String parameter(@Nullable String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private void chat(HttpExchange exchange, String kind, Script script, JsonNode request) throws IOException {
        int startedIn = epoch.get();
        sleep(script.beforeFirstByte());
        if (script.status() != 200) {
            error(exchange, kind, script);
            return;
        }
        String model = kind.equals("gemini") ? geminiModel(exchange.getRequestURI().getPath())
                : request.path("model").asString("");
        boolean includeUsage = !kind.equals("openai") || request.path("stream_options").path("include_usage")
                .asBoolean(false);
        exchange.getResponseHeaders().set("Content-Type", kind.equals("ollama") ? "application/x-ndjson"
                : "text/event-stream");
        // A fixed, too-large length lets a scripted drop end the body early, which clients see as a broken stream.
        exchange.sendResponseHeaders(200, script.dropAfter() >= 0 ? 1_000_000 : 0);
        OutputStream out = exchange.getResponseBody();
        FakeChatFrames frames = new FakeChatFrames(kind, model, out);
        try {
            frames.start(script);
            List<String> pieces = split(script.text(), script.chunks());
            for (int i = 0; i < pieces.size(); i++) {
                if (i == script.stallAfter()) {
                    sleep(script.stall());
                }
                if (i == script.dropAfter()) {
                    return;
                }
                frames.text(pieces.get(i));
                if (i == script.stallAfter() && i < pieces.size() - 1) {
                    // A client that left during the stall: the first write after it still succeeds (the kernel takes
                    // it), and only the peer's reset, a moment later, fails the next. Without this pause the rest
                    // of a short script could be written before the reset arrives, and the departure go unseen.
                    sleep(AFTER_STALL);
                }
            }
            if (pieces.size() == script.stallAfter()) {
                sleep(script.stall());
            }
            if (pieces.size() == script.dropAfter()) {
                return;
            }
            if (script.toolCall() != null) {
                frames.toolCall(script.toolCall(), !pieces.isEmpty());
            }
            if (!script.streamError().isEmpty()) {
                frames.error(script.streamError());
                out.close();
                count(completed, startedIn);
                return;
            }
            frames.finish(script, includeUsage, !omitEndMarkers.get());
            out.close();
            count(completed, startedIn);
        } catch (IOException gone) {
            count(disconnects, startedIn);
            throw gone;
        }
    }

    private void count(AtomicInteger counter, int startedIn) {
        if (epoch.get() == startedIn) {
            counter.incrementAndGet();
        }
    }

    private static String geminiModel(String path) {
        String last = path.substring(path.lastIndexOf('/') + 1);
        int colon = last.indexOf(':');
        return colon < 0 ? last : last.substring(0, colon);
    }

    private static List<String> split(String text, int chunks) {
        List<String> pieces = new ArrayList<>();
        if (text.isEmpty()) {
            return pieces;
        }
        int n = Math.max(1, Math.min(chunks, text.length()));
        int size = (text.length() + n - 1) / n;
        for (int i = 0; i < text.length(); i += size) {
            pieces.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return pieces;
    }

    private void error(HttpExchange exchange, String kind, Script script) throws IOException {
        String message = script.errorMessage();
        ObjectNode body = JSON.createObjectNode();
        int status = script.status();
        switch (kind) {
            case "openai" -> body.putObject("error").put("message", message).put("type", "fake_error")
                    .put("code", status);
            case "ollama" -> body.put("error", message);
            case "anthropic" -> body.put("type", "error").putObject("error").put("type", switch (status) {
                case 401 -> "authentication_error";
                case 429 -> "rate_limit_error";
                case 529 -> "overloaded_error";
                default -> status >= 500 ? "api_error" : "invalid_request_error";
            }).put("message", message);
            default -> body.putObject("error").put("code", status).put("message", message)
                    .put("status", switch (status) {
                case 401 -> "UNAUTHENTICATED";
                case 429 -> "RESOURCE_EXHAUSTED";
                case 503 -> "UNAVAILABLE";
                default -> status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
            });
        }
        if (script.retryAfterSeconds() >= 0) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(script.retryAfterSeconds()));
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(Duration wait) {
        if (wait.isZero()) {
            return;
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped");
        }
    }
}
