package org.atrium.chat.internal;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Usage recording, quotas and models in use ({@code atrium.usage.*}).
 *
 * @param flushInterval    how often each replica writes its buffered usage to PostgreSQL ({@code 5s}); what a killed
 *                         replica loses is at most this much of its usage
 * @param flushSize        buffered keys (hour, user, group, model, connection) that trigger a flush before the
 *                         interval ends ({@code 1000})
 * @param maxBuffered      buffered keys beyond which calls on new keys are dropped and counted in
 *                         {@code atrium.usage.dropped} ({@code 50000}; about 200 bytes each)
 * @param modelsInUseTtl   how long a streaming answer's models-in-use entry lives without being refreshed
 *                         ({@code 30s}); refreshed every third of it, so a killed replica's entries vanish within it
 * @param replicaName      the name this replica shows in the models-in-use view (default: the {@code HOSTNAME}
 *                         environment variable, the pod's name on Kubernetes, else the process id and host)
 */
@Validated
@ConfigurationProperties("atrium.usage")
record UsageProperties(
        @DefaultValue("5s") @NotNull Duration flushInterval,
        @DefaultValue("1000") @Min(1) int flushSize,
        @DefaultValue("50000") @Min(1) @Max(10_000_000) int maxBuffered,
        @DefaultValue("30s") @NotNull Duration modelsInUseTtl,
        @Nullable String replicaName) {
}
