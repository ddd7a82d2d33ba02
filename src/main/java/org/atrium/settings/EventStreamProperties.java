package org.atrium.settings;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The live event stream ({@code atrium.events.*}).
 *
 * @param heartbeat     how often an idle stream sends {@code heartbeat} ({@code 15s})
 * @param checkInterval how often an open stream re-checks its caller's authorisation ({@code 1s})
 * @param maxPerUser    streams one account may have open on one replica ({@code 10}); more answer 429
 * @param maxPerReplica streams one replica serves at once, all accounts together ({@code 1000}); more answer 429
 */
@Validated
@ConfigurationProperties("atrium.events")
public record EventStreamProperties(
        @DefaultValue("15s") @NotNull Duration heartbeat,
        @DefaultValue("1s") @NotNull Duration checkInterval,
        @DefaultValue("10") @Min(1) int maxPerUser,
        @DefaultValue("1000") @Min(1) int maxPerReplica) {
}
