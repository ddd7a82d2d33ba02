package org.atrium.providers.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatHandle;
import org.atrium.providers.ChatListener;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ChatResult;
import org.atrium.providers.FinishReason;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.TokenUsage;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolCallDelta;
import org.atrium.providers.internal.ProviderMetrics.Outcome;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One chat call: attempts (retried on 429, 5xx and broken connections while nothing reached the listener), the
 * stream read line by line within limits, the translator's events accumulated and forwarded, and the timeouts
 * enforced by a watchdog that closes the connection when one expires. The listener is called only from the call's
 * own thread.
 */
final class StreamingCall implements ChatHandle, Runnable, ProviderApi.ChatSink {

    /** Longest line of a stream. */
    static final int MAX_LINE = 1024 * 1024;
    /** Most bytes of one stream. */
    static final long MAX_STREAM = 32L * 1024 * 1024;
    /** Most events of one stream. */
    static final int MAX_EVENTS = 200_000;
    /** Most tool calls in one answer. */
    static final int MAX_TOOL_CALLS = 128;
    private static final Set<String> RETRIED = Set.of(ProviderFailure.UNAVAILABLE, ProviderFailure.RATE_LIMITED);
    private static final Set<String> BREAKER_FAILURES = Set.of(ProviderFailure.UNAVAILABLE, ProviderFailure.TIMEOUT,
            ProviderFailure.INVALID_RESPONSE);

    private final ChatEngine engine;
    private final ProviderEndpoint endpoint;
    private final ProviderApi api;
    private final @Nullable String secret;
    private final ChatRequest request;
    private final ChatListener listener;
    private final byte[] body;
    private final CompletableFuture<ChatResult> result = new CompletableFuture<>();
    private final long started = System.nanoTime();

    // Written by the call's thread, read by the watchdog and by cancel().
    private volatile boolean cancelled;
    private volatile boolean inAttempt;
    private volatile long attemptStarted;
    private volatile long lastActivity;
    private volatile long firstOutput;
    private volatile @Nullable String expired;
    private volatile @Nullable Duration expiredLimit;
    private volatile @Nullable CompletableFuture<HttpResponse<InputStream>> pending;
    private volatile @Nullable InputStream stream;
    private volatile @Nullable Thread runner;
    private long watchAt;
    private boolean finishing;

    // The call's thread only.
    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, PendingCall> calls = new TreeMap<>();
    private final List<ToolCall> completed = new ArrayList<>();
    private @Nullable Integer inputTokens;
    private @Nullable Integer outputTokens;
    private @Nullable FinishReason finish;
    private @Nullable ProviderFailure streamError;
    private boolean delivered;
    private int attempts;

    private static final class PendingCall {
        final String id;
        final String name;
        final StringBuilder arguments = new StringBuilder();

        PendingCall(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    StreamingCall(ChatEngine engine, ProviderEndpoint endpoint, ProviderApi api, @Nullable String secret,
                  ChatRequest request, ChatListener listener, byte[] body) {
        this.engine = engine;
        this.endpoint = endpoint;
        this.api = api;
        this.secret = secret;
        this.request = request;
        this.listener = listener;
        this.body = body;
    }

    // ---- the handle

    @Override
    public void cancel() {
        if (result.isDone() || cancelled) {
            return;
        }
        cancelled = true;
        abortUpstream();
    }

    @Override
    public CompletableFuture<ChatResult> result() {
        return result;
    }

    @Override
    public ChatResult await(Duration limit) {
        try {
            return result.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof ProviderFailure failure) {
                throw failure;
            }
            throw new IllegalStateException(failed.getCause());
        } catch (TimeoutException tooLong) {
            cancel();
            throw ProviderFailures.timeout(endpoint, "for the caller's wait", limit);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            cancel();
            throw cancelledFailure();
        }
    }

    // ---- the call

    @Override
    public void run() {
        runner = Thread.currentThread();
        arm(deadline());
        String outcome = "success";
        try {
            ChatResult answer = execute();
            finishing();
            safely(() -> listener.onUsage(answer.usage()));
            safely(() -> listener.onComplete(answer));
            result.complete(answer);
            logIfSlow(answer.timeToFirstToken(), answer.duration(), outcome);
        } catch (ProviderFailure failure) {
            finishing();
            outcome = failure.code().equals(ProviderFailure.CANCELLED) ? "cancelled" : failure.code();
            if (!failure.code().equals(ProviderFailure.CANCELLED)) {
                logFailure(failure);
            }
            safely(() -> listener.onFailure(failure));
            result.completeExceptionally(failure);
            logIfSlow(firstTokenTime(), elapsed(), outcome);
        } catch (RuntimeException | Error unexpected) {
            finishing();
            outcome = "error";
            ProviderFailure failure = new ProviderFailure(ProviderFailure.UNAVAILABLE, HttpStatus.BAD_GATEWAY,
                    endpoint.name(), "The call to provider '" + endpoint.name() + "' failed unexpectedly.", null, null,
                    unexpected);
            safely(() -> listener.onFailure(failure));
            result.completeExceptionally(failure);
        } finally {
            engine.metrics().call(endpoint.name(), request.model(), outcome, elapsed(), firstTokenTime());
            Thread.interrupted();
        }
    }

    private ChatResult execute() {
        int maxAttempts = engine.resilience().maxAttempts();
        Backoff backoff = new Backoff(engine.resilience().initialBackoff(), engine.resilience().maxBackoff());
        CircuitBreaker breaker = engine.breaker(endpoint.name());
        while (true) {
            attempts++;
            if (cancelled) {
                throw cancelledFailure();
            }
            if (!breaker.tryAcquirePermission()) {
                throw circuitOpen(breaker);
            }
            long attemptStart = System.nanoTime();
            try {
                ChatResult answer = attempt();
                breaker.onSuccess(System.nanoTime() - attemptStart, TimeUnit.NANOSECONDS);
                engine.metrics().attempts().record(endpoint.name(), request.model(), "chat", Outcome.SUCCESS,
                        System.nanoTime() - attemptStart);
                return answer;
            } catch (ProviderFailure failure) {
                long spent = System.nanoTime() - attemptStart;
                if (cancelled) {
                    breaker.releasePermission();
                    throw cancelledFailure();
                }
                if (BREAKER_FAILURES.contains(failure.code())) {
                    breaker.onError(spent, TimeUnit.NANOSECONDS, failure);
                } else {
                    // A refusal (401, 400, 429) shows the provider is up: it must not open the breaker.
                    breaker.onSuccess(spent, TimeUnit.NANOSECONDS);
                }
                Duration delay = backoff.delay(attempts, failure.retryAfter());
                boolean retry = !delivered && attempts < maxAttempts && RETRIED.contains(failure.code())
                        && System.nanoTime() + delay.toNanos() < deadline();
                engine.metrics().attempts().record(endpoint.name(), request.model(), "chat",
                        retry ? Outcome.RETRY : Outcome.FAILURE, spent);
                if (!retry) {
                    throw failure;
                }
                logRetry(failure, delay);
                resetAttempt();
                pause(delay);
            }
        }
    }

    private ChatResult attempt() {
        ProviderApi.StreamTranslator translator = api.translator(engine.json());
        HttpRequest.Builder builder = HttpRequest.newBuilder(api.chatUri(endpointBase(), request.model()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json")
                .header("Accept", api.ndjson() ? "application/x-ndjson" : "text/event-stream");
        endpoint.headers().forEach(builder::header);
        api.authenticate(builder, secret);
        attemptStarted = System.nanoTime();
        lastActivity = attemptStarted;
        inAttempt = true;
        arm(attemptStarted + endpoint.timeouts().firstToken().toNanos());
        try {
            CompletableFuture<HttpResponse<InputStream>> sent = engine.clients()
                    .client(endpoint.timeouts().connect()).sendAsync(builder.build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            pending = sent;
            if (cancelled || expired != null) {
                sent.cancel(true);
            }
            HttpResponse<InputStream> response = awaitHeaders(sent);
            stream = response.body();
            if (cancelled || expired != null) {
                closeQuietly(response.body());
            }
            int status = response.statusCode();
            if (status < 200 || status >= 300) {
                byte[] error = Bounded.head(response.body(), Bounded.MAX_ERROR_BODY);
                throw ProviderFailures.forStatus(endpoint, "the request for model '" + request.model() + "'", status,
                        error, engine.json(), secret, Backoff.retryAfter(response.headers(), engine.clock()));
            }
            read(response.body(), translator);
            return answer();
        } finally {
            inAttempt = false;
            InputStream open = stream;
            stream = null;
            pending = null;
            if (open != null) {
                closeQuietly(open);
            }
            Thread.interrupted();
        }
    }

    private HttpResponse<InputStream> awaitHeaders(CompletableFuture<HttpResponse<InputStream>> sent) {
        try {
            return sent.get();
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            throw noAnswer(cause instanceof IOException io ? io : new IOException(cause));
        } catch (java.util.concurrent.CancellationException | InterruptedException stopped) {
            throw noAnswer(new IOException("stopped"));
        }
    }

    private ProviderFailure noAnswer(IOException failure) {
        if (cancelled) {
            return cancelledFailure();
        }
        String phase = expired;
        if (phase != null) {
            return ProviderFailures.timeout(endpoint, phase, expiredLimit);
        }
        if (failure instanceof HttpConnectTimeoutException) {
            return ProviderFailures.timeout(endpoint, "to accept a connection", endpoint.timeouts().connect());
        }
        return ProviderFailures.unreachable(endpoint, failure, secret);
    }

    private void read(InputStream in, ProviderApi.StreamTranslator translator) {
        LineReader lines = new LineReader(in, MAX_LINE, MAX_STREAM);
        StringBuilder data = new StringBuilder();
        String event = null;
        int events = 0;
        try {
            String line;
            while ((line = lines.next()) != null) {
                lastActivity = System.nanoTime();
                String dispatch = null;
                if (api.ndjson()) {
                    dispatch = line.isBlank() ? null : line;
                } else if (line.isEmpty()) {
                    // A blank line ends an SSE event.
                    dispatch = data.isEmpty() ? null : data.toString();
                    data.setLength(0);
                } else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(stripSpace(line.substring(5)));
                    if (data.length() > MAX_LINE) {
                        throw ProviderFailures.invalid(endpoint, "an event is longer than " + MAX_LINE + " bytes");
                    }
                    continue;
                } else if (line.startsWith("event:")) {
                    event = stripSpace(line.substring(6));
                    continue;
                } else {
                    continue;
                }
                if (dispatch == null) {
                    event = null;
                    continue;
                }
                if (++events > MAX_EVENTS) {
                    throw ProviderFailures.invalid(endpoint, "the answer has more than " + MAX_EVENTS + " events");
                }
                translator.accept(event, dispatch, this);
                event = null;
                if (streamError != null) {
                    throw streamError;
                }
                if (translator.finished()) {
                    return;
                }
            }
            if (!data.isEmpty() && !api.ndjson()) {
                // The last event of a stream that ends without a blank line still counts.
                translator.accept(event, data.toString(), this);
                if (streamError != null) {
                    throw streamError;
                }
            }
            if (!translator.completeAtEnd()) {
                throw afterStart(null, "ended its answer before the end");
            }
        } catch (LineReader.LimitExceeded tooMuch) {
            throw ProviderFailures.invalid(endpoint, tooMuch.getMessage());
        } catch (IOException broken) {
            throw afterStart(broken, "broke off its answer");
        } catch (ProviderApi.UnusableResponse unusable) {
            throw ProviderFailures.invalid(endpoint, unusable.getMessage());
        }
    }

    private ProviderFailure afterStart(@Nullable IOException broken, String what) {
        if (cancelled) {
            return cancelledFailure();
        }
        String phase = expired;
        if (phase != null) {
            return ProviderFailures.timeout(endpoint, phase, expiredLimit);
        }
        return ProviderFailures.dropped(endpoint, what);
    }

    private static String stripSpace(String value) {
        return value.startsWith(" ") ? value.substring(1) : value;
    }

    private ChatResult answer() {
        for (Integer index : List.copyOf(calls.keySet())) {
            toolCallDone(index);
        }
        FinishReason reason = finish == null ? FinishReason.STOP : finish;
        if (reason == FinishReason.STOP && !completed.isEmpty()) {
            reason = FinishReason.TOOL_CALLS;
        }
        boolean estimated = inputTokens == null || outputTokens == null;
        int input = inputTokens != null ? inputTokens : Tokens.input(request);
        int output = outputTokens != null ? outputTokens : Tokens.output(text.toString(), completed);
        return new ChatResult(text.toString(), completed, reason, new TokenUsage(input, output, estimated),
                firstTokenTime(), elapsed(), attempts);
    }

    // ---- the sink

    @Override
    public void text(String delta) {
        output();
        text.append(delta);
        deliver(() -> listener.onText(delta));
    }

    @Override
    public void toolCallDelta(int index, @Nullable String id, @Nullable String name, String args) {
        PendingCall call = calls.get(index);
        if (call == null) {
            if (calls.size() + completed.size() >= MAX_TOOL_CALLS) {
                throw new ProviderApi.UnusableResponse("it called more than " + MAX_TOOL_CALLS + " tools");
            }
            call = new PendingCall(id != null ? id : "call_" + UUID.randomUUID().toString().replace("-", ""),
                    name == null ? "" : name);
            calls.put(index, call);
            output();
            PendingCall first = call;
            call.arguments.append(args);
            deliver(() -> listener.onToolCallDelta(new ToolCallDelta(index, first.id, first.name, args)));
            return;
        }
        if (call.arguments.length() + args.length() > MAX_LINE) {
            throw new ProviderApi.UnusableResponse("a tool call's arguments are longer than " + MAX_LINE + " bytes");
        }
        call.arguments.append(args);
        if (!args.isEmpty()) {
            output();
            deliver(() -> listener.onToolCallDelta(new ToolCallDelta(index, null, null, args)));
        }
    }

    @Override
    public void toolCallDone(int index) {
        PendingCall call = calls.remove(index);
        if (call == null) {
            return;
        }
        String arguments = call.arguments.isEmpty() ? "{}" : call.arguments.toString();
        ToolCall done = new ToolCall(call.id, call.name, arguments);
        completed.add(done);
        deliver(() -> listener.onToolCall(done));
    }

    @Override
    public void usage(@Nullable Integer input, @Nullable Integer output) {
        if (input != null) {
            inputTokens = input;
        }
        if (output != null) {
            outputTokens = output;
        }
    }

    @Override
    public void finish(FinishReason reason) {
        finish = reason;
    }

    @Override
    public void error(String code, String message) {
        streamError = ProviderFailures.inStream(endpoint, code,
                ProviderErrors.providerMessage(message.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        engine.json(), secret));
    }

    private void output() {
        if (firstOutput == 0) {
            firstOutput = System.nanoTime();
            // From now on the idle timeout applies, which may expire before the check armed for the first token.
            arm(firstOutput + endpoint.timeouts().idle().toNanos());
        }
    }

    private void deliver(Runnable event) {
        delivered = true;
        try {
            event.run();
        } catch (RuntimeException listenerFailed) {
            // The consumer cannot take more (its client went away, say): stop the provider too.
            cancelled = true;
            throw cancelledFailure();
        }
    }

    // ---- timeouts and cancellation

    /** Runs on the watchdog thread: expires the call when a deadline has passed, else checks again at the next. */
    private void watch() {
        synchronized (this) {
            watchAt = 0;
        }
        if (result.isDone() || cancelled || expired != null) {
            return;
        }
        long now = System.nanoTime();
        long next = deadline();
        String phase = "to finish its answer";
        Duration limit = endpoint.timeouts().total();
        if (inAttempt) {
            long phaseDeadline;
            if (firstOutput == 0) {
                phaseDeadline = attemptStarted + endpoint.timeouts().firstToken().toNanos();
                if (phaseDeadline < next) {
                    next = phaseDeadline;
                    phase = "to start answering";
                    limit = endpoint.timeouts().firstToken();
                }
            } else {
                phaseDeadline = lastActivity + endpoint.timeouts().idle().toNanos();
                if (phaseDeadline < next) {
                    next = phaseDeadline;
                    phase = "between two parts of its answer";
                    limit = endpoint.timeouts().idle();
                }
            }
        }
        if (now >= next) {
            expiredLimit = limit;
            expired = phase;
            abortUpstream();
            return;
        }
        arm(next);
    }

    /**
     * Makes sure the watchdog looks at the call no later than {@code at}. Only the earliest check is scheduled; a
     * check that finds nothing expired schedules the next, so one chain of checks runs per call.
     */
    private synchronized void arm(long at) {
        if (watchAt != 0 && watchAt <= at) {
            return;
        }
        watchAt = at;
        engine.schedule(this::watch, at - System.nanoTime());
    }

    private void abortUpstream() {
        synchronized (this) {
            Thread thread = runner;
            if (thread != null && !finishing) {
                // Wakes a read blocked on the stream, or a wait between attempts; done first because closing the
                // stream does not wake a blocked read.
                thread.interrupt();
            }
        }
        CompletableFuture<HttpResponse<InputStream>> sent = pending;
        if (sent != null) {
            sent.cancel(true);
        }
        InputStream open = stream;
        if (open != null) {
            // Closing the body before its end closes the connection, so the provider stops generating.
            closeQuietly(open);
        }
    }

    /** From here on the call only reports its end: no interrupt may reach the listener's last callbacks. */
    private void finishing() {
        synchronized (this) {
            finishing = true;
        }
        Thread.interrupted();
    }

    private long deadline() {
        return started + endpoint.timeouts().total().toNanos();
    }

    private void pause(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException woken) {
            Thread.interrupted();
            if (cancelled) {
                throw cancelledFailure();
            }
            String phase = expired;
            if (phase != null) {
                throw ProviderFailures.timeout(endpoint, phase, expiredLimit);
            }
        }
    }

    private void resetAttempt() {
        inputTokens = null;
        outputTokens = null;
        finish = null;
        streamError = null;
        calls.clear();
        completed.clear();
        text.setLength(0);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
    }

    private java.net.URI endpointBase() {
        java.net.URI base = endpoint.connection().baseUrl();
        if (base == null) {
            throw new IllegalStateException("not remote");
        }
        return base;
    }

    // ---- failures, logs

    private ProviderFailure cancelledFailure() {
        return new ProviderFailure(ProviderFailure.CANCELLED, HttpStatus.SERVICE_UNAVAILABLE, endpoint.name(),
                "The call to provider '" + endpoint.name() + "' was cancelled.", null, null, null);
    }

    private ProviderFailure circuitOpen(CircuitBreaker breaker) {
        Duration wait = engine.resilience().openFor();
        return new ProviderFailure(ProviderFailure.CIRCUIT_OPEN, HttpStatus.SERVICE_UNAVAILABLE, endpoint.name(),
                "Calls to provider '" + endpoint.name() + "' are paused because it kept failing ("
                        + Math.round(breaker.getMetrics().getFailureRate()) + "% of recent calls failed). Atrium tries"
                        + " it again within " + ProviderFailures.readable(wait) + "; try again later.", null, wait,
                null);
    }

    private void safely(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException ignored) {
            // The call is over; a listener that fails at its end changes nothing.
        }
    }

    private @Nullable Duration firstTokenTime() {
        long first = firstOutput;
        return first == 0 ? null : Duration.ofNanos(first - started);
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private void logRetry(ProviderFailure failure, Duration delay) {
        var event = LogEvents.warn(ChatEngine.log(), ChatEngine.RETRY_EVENT)
                .addKeyValue("connection", endpoint.name())
                .addKeyValue("model", request.model())
                .addKeyValue("attempt", attempts)
                .addKeyValue("max_attempts", engine.resilience().maxAttempts())
                .addKeyValue("code", failure.code());
        if (failure.providerStatus() != null) {
            event = event.addKeyValue("status", failure.providerStatus());
        }
        event.addKeyValue("delay_ms", delay.toMillis()).log();
    }

    private void logFailure(ProviderFailure failure) {
        var event = LogEvents.warn(ChatEngine.log(), ChatEngine.FAILED_EVENT)
                .addKeyValue("connection", endpoint.name())
                .addKeyValue("model", request.model())
                .addKeyValue("attempts", attempts)
                .addKeyValue("code", failure.code());
        if (failure.providerStatus() != null) {
            event = event.addKeyValue("status", failure.providerStatus());
        }
        // No provider explanation: a refusal may quote the prompt. The caller receives the full message.
        event.addKeyValue("duration_ms", elapsed().toMillis()).log();
    }

    private void logIfSlow(@Nullable Duration firstToken, Duration duration, String outcome) {
        boolean slowStart = firstToken != null && firstToken.compareTo(engine.resilience().slowFirstToken()) > 0;
        if (!slowStart && duration.compareTo(engine.resilience().slowDuration()) <= 0) {
            return;
        }
        var event = LogEvents.warn(ChatEngine.log(), ChatEngine.SLOW_EVENT)
                .addKeyValue("connection", endpoint.name())
                .addKeyValue("model", request.model());
        if (firstToken != null) {
            event = event.addKeyValue("ttft_ms", firstToken.toMillis());
        }
        event.addKeyValue("duration_ms", duration.toMillis())
                .addKeyValue("outcome", outcome)
                .addKeyValue("attempts", attempts)
                .log();
    }
}
