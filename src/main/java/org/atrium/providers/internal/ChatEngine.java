package org.atrium.providers.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatCall;
import org.atrium.providers.ChatHandle;
import org.atrium.providers.ChatListener;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ChatResilience;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Runs chat calls: each call reads its stream on one virtual thread (its own, or its caller's), one shared timer
 * thread enforces the timeouts, and one Resilience4j circuit breaker per connection name refuses calls while that
 * provider keeps failing.
 * Thread-safe; built once by the facade.
 */
public final class ChatEngine {

    /** Logged before a repeated attempt. */
    public static final String RETRY_EVENT = "provider.chat.retry";
    /** Logged when a call fails (not when cancelled). */
    public static final String FAILED_EVENT = "provider.chat.failed";
    /** Logged when a call was slow to start or to finish. */
    public static final String SLOW_EVENT = "provider.chat.slow";
    /** Logged when a connection's circuit breaker changes state. */
    public static final String CIRCUIT_EVENT = "provider.chat.circuit";
    /** The gauge of the checks and time limits the engine's timer holds. */
    public static final String SCHEDULED = "atrium.provider.chat.scheduled";
    private static final Logger log = LoggerFactory.getLogger(ChatEngine.class);
    private static final int DRAIN_LIMIT = 64 * 1024;
    private static final int DRAIN_BUFFER = 256;
    private static final java.time.Duration DRAIN_TIME = java.time.Duration.ofSeconds(2);

    private final Clients clients;
    private final JsonMapper json;
    private final ChatMetrics metrics;
    private final ChatResilience resilience;
    private final CircuitBreakerRegistry breakers;
    /**
     * The calls' timeout checks, the drains' time limits and other modules' short tasks ({@link #later}): arming or
     * cancelling one is a queue insert, where a scheduled executor would wake its thread for nearly every call (each
     * new deadline being the earliest). Checks run up to a tick late, which timeouts of seconds do not notice. One per
     * process, as Netty advises (its thread ticks while it lives), never stopped: a check still armed when the
     * application stops finds its call over.
     */
    private static final HashedWheelTimer WATCHDOG = new HashedWheelTimer(
            Thread.ofPlatform().daemon().name("provider-chat-timeouts").factory(), 20, TimeUnit.MILLISECONDS);
    private final ThreadFactory callThreads = Thread.ofVirtual().name("provider-chat-", 0).factory();
    private final Clock clock = Clock.systemUTC();

    /**
     * @param clients    the HTTP clients
     * @param json       the JSON mapper
     * @param meters     the registry, or null
     * @param resilience retries, breaker and slow-call settings
     */
    public ChatEngine(Clients clients, JsonMapper json, @Nullable MeterRegistry meters, ChatResilience resilience) {
        this.clients = clients;
        this.json = json;
        this.metrics = new ChatMetrics(meters);
        this.resilience = resilience;
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(resilience.window())
                .minimumNumberOfCalls(resilience.minimumCalls())
                .failureRateThreshold(resilience.failureRate())
                .waitDurationInOpenState(resilience.openFor())
                .permittedNumberOfCallsInHalfOpenState(resilience.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
        if (meters != null) {
            Gauge.builder(SCHEDULED, WATCHDOG, HashedWheelTimer::pendingTimeouts)
                    .description("Timeout checks, stream drains and models-in-use listings scheduled for chat"
                            + " calls, and the poll timers of answer streams waiting for text: one or two per call"
                            + " in progress, one per open answer stream; growing with the calls made would mean"
                            + " ended calls are kept")
                    .register(meters);
        }
        breakers.getEventPublisher().onEntryAdded(added -> {
            CircuitBreaker breaker = added.getAddedEntry();
            breaker.getEventPublisher().onStateTransition(event -> LogEvents.warn(log, CIRCUIT_EVENT)
                    .addKeyValue("connection", breaker.getName())
                    .addKeyValue("from", event.getStateTransition().getFromState().name().toLowerCase(Locale.ROOT))
                    .addKeyValue("to", event.getStateTransition().getToState().name().toLowerCase(Locale.ROOT))
                    .log());
        });
    }

    /**
     * Prepares a call, to be run by its caller or by {@link #start}.
     *
     * @param endpoint the endpoint
     * @param api      its wire format
     * @param secret   the credential, already checked
     * @param request  the request
     * @param listener where events go
     * @return the call, not started
     * @throws ProviderFailure ({@link ProviderFailure#UNSUPPORTED}) when the request cannot be sent to this kind
     */
    public ChatCall prepare(ProviderEndpoint endpoint, ProviderApi api, @Nullable String secret, ChatRequest request,
                            ChatListener listener) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(api.chatBody(request, json));
        } catch (ProviderApi.UnsupportedRequest unsupported) {
            throw ProviderFailures.unsupported(endpoint, unsupported.getMessage());
        }
        return new StreamingCall(this, endpoint, api, secret, request, listener, body);
    }

    /**
     * Starts a prepared call on its own virtual thread.
     *
     * @param call a call of {@link #prepare}, not run yet
     * @return the same call, running
     */
    public ChatHandle start(ChatCall call) {
        callThreads.newThread(call::run).start();
        return call;
    }

    CircuitBreaker breaker(String connection) {
        return breakers.circuitBreaker(connection);
    }

    /**
     * @param check      what to run on the timer's thread (briefly: it serves every call)
     * @param delayNanos when, from now
     * @return the timer's entry, to be cancelled when it is no longer needed (an entry keeps what it refers to, a
     * whole call, until its time comes)
     */
    Timeout schedule(Runnable check, long delayNanos) {
        return WATCHDOG.newTimeout(due -> check.run(), Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
    }

    /**
     * The same as {@link #schedule} for a task of another module (see {@code ChatProviders.later}).
     *
     * @return what cancels it
     */
    public Runnable later(Runnable task, long delayNanos) {
        Timeout armed = schedule(task, delayNanos);
        return armed::cancel;
    }

    /**
     * Reads what is left of a finished stream (the end of a chunked body after {@code [DONE]}) so that the connection
     * goes back to the pool instead of being closed, then closes it. Runs aside, bounded in bytes and time, so the
     * answer is never held up by a server that keeps the body open.
     *
     * @param in the stream whose answer is complete
     */
    void drain(java.io.InputStream in) {
        Runnable close = () -> {
            try {
                in.close();
            } catch (java.io.IOException ignored) {
                // closing is all that was wanted
            }
        };
        Timeout timeLimit = schedule(close, DRAIN_TIME.toNanos());
        Thread.ofVirtual().start(() -> {
            try {
                // Usually nothing is left but the chunked body's last line: InputStream.readNBytes and transferTo
                // allocate a 16 KB buffer for it (skip, 2 KB), which was a tenth of all a proxied call allocated.
                byte[] sink = new byte[DRAIN_BUFFER];
                int left = DRAIN_LIMIT;
                int read;
                while (left > 0 && (read = in.read(sink, 0, Math.min(sink.length, left))) >= 0) {
                    left -= read;
                }
            } catch (java.io.IOException ignored) {
                // the connection is closed below either way
            } finally {
                close.run();
                timeLimit.cancel();
            }
        });
    }

    Clients clients() {
        return clients;
    }

    JsonMapper json() {
        return json;
    }

    ChatMetrics metrics() {
        return metrics;
    }

    ChatResilience resilience() {
        return resilience;
    }

    Clock clock() {
        return clock;
    }

    static Logger log() {
        return log;
    }
}
