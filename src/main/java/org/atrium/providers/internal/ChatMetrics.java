package org.atrium.providers.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * Chat call metrics, tagged {@code provider} (the connection name, as on {@link ProviderMetrics#REQUESTS}),
 * {@code model} and, where it applies, {@code outcome} ({@code success}, {@code cancelled} or the failure code):
 * <ul>
 *   <li>{@value #DURATION}: timer of whole calls, retries included, with p50/p95/p99;</li>
 *   <li>{@value #FIRST_TOKEN}: timer of the time to the first output, with p50/p95/p99;</li>
 *   <li>{@value #CALLS}: counter of calls by outcome.</li>
 * </ul>
 * Each HTTP attempt is also timed on {@link ProviderMetrics#REQUESTS} with {@code operation=chat}. Without a
 * registry nothing is recorded.
 */
public final class ChatMetrics {

    /** Whole-call timer. */
    public static final String DURATION = "atrium.provider.chat.duration";
    /** Time-to-first-token timer. */
    public static final String FIRST_TOKEN = "atrium.provider.chat.first_token";
    /** Calls by outcome. */
    public static final String CALLS = "atrium.provider.chat.calls";

    private final @Nullable MeterRegistry registry;
    private final ProviderMetrics attempts;

    /** @param registry where to record; null records nothing */
    public ChatMetrics(@Nullable MeterRegistry registry) {
        this.registry = registry;
        this.attempts = new ProviderMetrics(registry);
    }

    /** @return the per-attempt timer */
    ProviderMetrics attempts() {
        return attempts;
    }

    /**
     * Records one finished call.
     *
     * @param connection the connection name
     * @param model      the model
     * @param outcome    {@code success}, {@code cancelled} or a failure code
     * @param duration   the whole call
     * @param firstToken time to the first output, null when none came
     */
    void call(String connection, String model, String outcome, Duration duration, @Nullable Duration firstToken) {
        if (registry == null) {
            return;
        }
        Timer.builder(DURATION).description("Chat calls to model providers, retries included")
                .tags("provider", connection, "model", model, "outcome", outcome)
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(registry).record(duration);
        Counter.builder(CALLS).description("Chat calls to model providers by outcome")
                .tags("provider", connection, "model", model, "outcome", outcome)
                .register(registry).increment();
        if (firstToken != null) {
            Timer.builder(FIRST_TOKEN).description("Time from the start of a chat call to its first output")
                    .tags("provider", connection, "model", model)
                    .publishPercentiles(0.5, 0.95, 0.99)
                    .register(registry).record(firstToken);
        }
    }
}
