package org.atrium.providers.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The {@code atrium.provider.requests} timer: one sample per request to a provider (per HTTP attempt, so retries are
 * visible), tagged {@code provider} (the connection name), {@code model}, {@code operation} and {@code outcome}.
 * Without a meter registry nothing is recorded.
 */
public final class ProviderMetrics {

    /** The timer's name. */
    public static final String REQUESTS = "atrium.provider.requests";

    /** How one request ended. */
    public enum Outcome {
        /** The provider answered with something usable. */
        SUCCESS,
        /** A transient failure that another attempt follows. */
        RETRY,
        /** A failure the caller sees. */
        FAILURE;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final @Nullable MeterRegistry registry;

    /** @param registry where to record; null records nothing */
    public ProviderMetrics(@Nullable MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Records one request.
     *
     * @param connection   the connection name
     * @param model        the model name
     * @param operation    {@code embeddings} (later also {@code chat})
     * @param outcome      how it ended
     * @param elapsedNanos how long it took
     */
    public void record(String connection, String model, String operation, Outcome outcome, long elapsedNanos) {
        if (registry == null) {
            return;
        }
        Timer.builder(REQUESTS)
                .description("Requests to model providers, one per attempt")
                .tag("provider", connection)
                .tag("model", model)
                .tag("operation", operation)
                .tag("outcome", outcome.tag())
                .register(registry)
                .record(elapsedNanos, TimeUnit.NANOSECONDS);
    }
}
