package org.atrium.providers.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.atrium.providers.ChatCall;
import org.atrium.providers.ChatListener;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ChatResult;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.internal.ProviderMetrics.Outcome;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One chat call: attempts (retried on 429, 5xx and broken connections while nothing reached the listener), the
 * stream read line by line within limits, the translator's events accumulated and forwarded, and the timeouts
 * enforced by a watchdog that closes the connection when one expires. The listener is called only from the thread
 * that runs the call (its own, or its caller's: {@link ChatCall#run}).
 */
final class StreamingCall implements ChatCall {

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
    private final Deadlines deadlines;
    private final AtomicBoolean ran = new AtomicBoolean();

    // Written by the call's thread, read by the watchdog and by cancel().
    private volatile boolean cancelled;
    private volatile @Nullable HttpPost upstream;
    private volatile @Nullable Thread runner;
    private boolean finishing;

    // The call's thread only.
    private @Nullable Answer answer;
    private int attempts;

    StreamingCall(ChatEngine engine, ProviderEndpoint endpoint, ProviderApi api, @Nullable String secret,
                  ChatRequest request, ChatListener listener, byte[] body) {
        this.engine = engine;
        this.endpoint = endpoint;
        this.api = api;
        this.secret = secret;
        this.request = request;
        this.listener = listener;
        this.body = body;
        this.deadlines = new Deadlines(engine, endpoint.timeouts(), this::abortUpstream,
                () -> result.isDone() || cancelled);
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
        if (!ran.compareAndSet(false, true)) {
            throw new IllegalStateException("A chat call runs once; this one has already run.");
        }
        runner = Thread.currentThread();
        deadlines.start();
        ChatResult done = null;
        ProviderFailure failure;
        try {
            done = execute();
            failure = null;
        } catch (ProviderFailure failed) {
            failure = failed;
        } catch (RuntimeException | Error unexpected) {
            failure = new ProviderFailure(ProviderFailure.UNAVAILABLE, HttpStatus.BAD_GATEWAY, endpoint.name(),
                    "The call to provider '" + endpoint.name() + "' failed unexpectedly.", null, null, unexpected);
        }
        finishing();
        deadlines.stop();
        // Metrics and logs first, so that whoever waits on the result finds them written.
        String outcome = failure == null ? "success"
                : failure.code().equals(ProviderFailure.CANCELLED) ? "cancelled" : failure.code();
        Duration duration = done != null ? done.duration() : deadlines.elapsed();
        engine.metrics().call(endpoint.name(), request.model(), outcome, duration, deadlines.firstToken());
        if (failure != null && !failure.code().equals(ProviderFailure.CANCELLED)) {
            ChatLogs.failed(endpoint, request.model(), attempts, failure, duration);
        }
        ChatLogs.ifSlow(engine.resilience(), endpoint, request.model(), attempts, deadlines.firstToken(), duration,
                outcome);
        if (done != null) {
            ChatResult answer = done;
            safely(() -> listener.onUsage(answer.usage()));
            safely(() -> listener.onComplete(answer));
            result.complete(answer);
        } else {
            ProviderFailure failed = failure;
            safely(() -> listener.onFailure(failed));
            result.completeExceptionally(failed);
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
                boolean retry = (answer == null || !answer.delivered()) && attempts < maxAttempts
                        && RETRIED.contains(failure.code()) && !(failure.getCause() instanceof Clients.AddressRefused)
                        && System.nanoTime() + delay.toNanos() < deadlines.deadline();
                engine.metrics().attempts().record(endpoint.name(), request.model(), "chat",
                        retry ? Outcome.RETRY : Outcome.FAILURE, spent);
                if (!retry) {
                    throw failure;
                }
                ChatLogs.retry(endpoint, request.model(), attempts, engine.resilience().maxAttempts(), failure,
                        delay);
                pause(delay);
            }
        }
    }

    private ChatResult attempt() {
        Answer current = new Answer(endpoint, listener, engine.json(), secret, deadlines::output);
        answer = current;
        ProviderApi.StreamTranslator translator = api.translator(engine.json());
        HttpPost post = new HttpPost(api.chatUri(endpointBase(), request.model()));
        post.setEntity(new ByteArrayEntity(body, Exchange.JSON));
        post.setHeader("Accept", api.ndjson() ? "application/x-ndjson" : "text/event-stream");
        endpoint.headers().forEach(post::setHeader);
        api.authenticate(post, secret);
        deadlines.attemptStarted();
        upstream = post;
        try {
            if (cancelled || deadlines.expired() != null) {
                post.cancel();
            }
            Exchange exchange;
            try {
                exchange = Exchange.send(engine.clients().client(endpoint), post);
            } catch (IOException failed) {
                throw noAnswer(failed);
            }
            int status = exchange.status();
            if (status < 200 || status >= 300) {
                byte[] error = Bounded.head(exchange.body(), Bounded.MAX_ERROR_BODY);
                throw ProviderFailures.forStatus(endpoint, "the request for model '" + request.model() + "'", status,
                        error, engine.json(), secret, Backoff.retryAfter(exchange::header, engine.clock()));
            }
            read(exchange.body(), translator, current);
            // Complete: the rest of the body is read aside so that the connection can be reused.
            upstream = null;
            engine.drain(exchange.body());
            Answer.Result end = current.end(request);
            return new ChatResult(end.text(), end.toolCalls(), end.finish(), end.usage(), deadlines.firstToken(),
                    deadlines.elapsed(), attempts);
        } finally {
            deadlines.attemptEnded();
            HttpPost open = upstream;
            upstream = null;
            if (open != null) {
                // Not read to its end: the connection is closed, so the provider stops generating.
                open.cancel();
            }
            Thread.interrupted();
        }
    }

    private ProviderFailure noAnswer(IOException failure) {
        if (cancelled) {
            return cancelledFailure();
        }
        Deadlines.Expiry expiry = deadlines.expired();
        if (expiry != null) {
            return ProviderFailures.timeout(endpoint, expiry.phase(), expiry.limit());
        }
        if (failure instanceof ConnectTimeoutException) {
            return ProviderFailures.timeout(endpoint, "to accept a connection", endpoint.timeouts().connect());
        }
        ProviderFailure unusable = ProviderFailures.unusableHead(endpoint, failure);
        return unusable != null ? unusable : ProviderFailures.unreachable(endpoint, failure, secret);
    }

    private void read(InputStream in, ProviderApi.StreamTranslator translator, Answer answer) {
        EventReader events = new EventReader(in, api.ndjson(), deadlines::activity);
        try {
            boolean finished = events.read((event, data) -> {
                translator.accept(event, data, answer);
                ProviderFailure error = answer.streamError();
                if (error != null) {
                    throw error;
                }
                return translator.finished();
            });
            if (!finished && !translator.completeAtEnd()) {
                throw afterStart("ended its answer before the end");
            }
        } catch (LineReader.LimitExceeded tooMuch) {
            throw ProviderFailures.invalid(endpoint, tooMuch.getMessage());
        } catch (IOException broken) {
            throw afterStart("broke off its answer");
        } catch (ProviderApi.UnusableResponse unusable) {
            throw ProviderFailures.invalid(endpoint, unusable.getMessage());
        } catch (Answer.ListenerFailed consumerGone) {
            // The consumer cannot take more (its client went away, say): stop the provider too.
            cancelled = true;
            throw cancelledFailure();
        }
    }

    private ProviderFailure afterStart(String what) {
        if (cancelled) {
            return cancelledFailure();
        }
        Deadlines.Expiry expiry = deadlines.expired();
        if (expiry != null) {
            return ProviderFailures.timeout(endpoint, expiry.phase(), expiry.limit());
        }
        return ProviderFailures.dropped(endpoint, what);
    }

    // ---- timeouts and cancellation

    private void abortUpstream() {
        synchronized (this) {
            Thread thread = runner;
            if (thread != null && !finishing) {
                // Wakes a wait between attempts; a read blocked on the connection ends with the cancel below too.
                thread.interrupt();
            }
        }
        HttpPost open = upstream;
        if (open != null) {
            // Closes the connection, so the provider stops generating.
            open.cancel();
        }
    }

    /** From here on the call only reports its end: no interrupt may reach the listener's last callbacks. */
    private void finishing() {
        synchronized (this) {
            finishing = true;
        }
        Thread.interrupted();
    }

    private void pause(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException woken) {
            Thread.interrupted();
            if (cancelled) {
                throw cancelledFailure();
            }
            Deadlines.Expiry expiry = deadlines.expired();
            if (expiry != null) {
                throw ProviderFailures.timeout(endpoint, expiry.phase(), expiry.limit());
            }
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
}
