package org.atrium.providers.internal;

import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatResilience;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * The log events of chat calls ({@link ChatEngine#RETRY_EVENT}, {@link ChatEngine#FAILED_EVENT},
 * {@link ChatEngine#SLOW_EVENT}): connection, model, attempts, codes and timings, never the secret nor the provider's
 * explanation (a refusal may quote the prompt; the caller receives the full message).
 */
final class ChatLogs {

    private ChatLogs() {
    }

    static void retry(ProviderEndpoint endpoint, String model, int attempt, int maxAttempts, ProviderFailure failure,
                      Duration delay) {
        var event = LogEvents.warn(ChatEngine.log(), ChatEngine.RETRY_EVENT)
                .addKeyValue("connection", endpoint.name())
                .addKeyValue("model", model)
                .addKeyValue("attempt", attempt)
                .addKeyValue("max_attempts", maxAttempts)
                .addKeyValue("code", failure.code());
        if (failure.providerStatus() != null) {
            event = event.addKeyValue("status", failure.providerStatus());
        }
        event.addKeyValue("delay_ms", delay.toMillis()).log();
    }

    static void failed(ProviderEndpoint endpoint, String model, int attempts, ProviderFailure failure,
                       Duration duration) {
        var event = LogEvents.warn(ChatEngine.log(), ChatEngine.FAILED_EVENT)
                .addKeyValue("connection", endpoint.name())
                .addKeyValue("model", model)
                .addKeyValue("attempts", attempts)
                .addKeyValue("code", failure.code());
        if (failure.providerStatus() != null) {
            event = event.addKeyValue("status", failure.providerStatus());
        }
        event.addKeyValue("duration_ms", duration.toMillis()).log();
    }

    static void ifSlow(ChatResilience settings, ProviderEndpoint endpoint, String model, int attempts,
                       @Nullable Duration firstToken, Duration duration, String outcome) {
        boolean slowStart = firstToken != null && firstToken.compareTo(settings.slowFirstToken()) > 0;
        if (!slowStart && duration.compareTo(settings.slowDuration()) <= 0) {
            return;
        }
        var event = LogEvents.warn(ChatEngine.log(), ChatEngine.SLOW_EVENT)
                .addKeyValue("connection", endpoint.name())
                .addKeyValue("model", model);
        if (firstToken != null) {
            event = event.addKeyValue("ttft_ms", firstToken.toMillis());
        }
        event.addKeyValue("duration_ms", duration.toMillis())
                .addKeyValue("outcome", outcome)
                .addKeyValue("attempts", attempts)
                .log();
    }
}
