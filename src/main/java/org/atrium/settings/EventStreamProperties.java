package org.atrium.settings;

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
 */
@Validated
@ConfigurationProperties("atrium.events")
public record EventStreamProperties(
        @DefaultValue("15s") @NotNull Duration heartbeat,
        @DefaultValue("1s") @NotNull Duration checkInterval) {
}
