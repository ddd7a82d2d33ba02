package org.atrium.chat;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Answer generation ({@code atrium.chat.generation.*}).
 *
 * @param maxPerUser        answers one user may have generating at once, across every replica ({@code 3})
 * @param maxPerReplica     answers one replica generates at once ({@code 200})
 * @param flushInterval     longest time generated text waits before it is saved ({@code 250ms})
 * @param flushBytes        text (UTF-16 units) that is saved at once, before the interval ends ({@code 4096})
 * @param heartbeat         how often a generator with nothing to save still marks its answer alive ({@code 5s})
 * @param interruptedAfter  an answer in progress whose last save is older than this has lost its generator (a replica
 *                          killed mid-answer) and is ended as failed ({@code 60s}; several heartbeats)
 * @param interruptedCheck  how often the recurring task looks for such answers ({@code 1m})
 * @param pollInterval      a client attached to an answer reads the database when no batch arrived for this long
 *                          ({@code 2s}: Redis down never loses the end of an answer)
 * @param stopWait          how long a stop waits for the generating replica to save and end the answer before it ends
 *                          it itself as stopped ({@code 3s})
 */
@Validated
@ConfigurationProperties("atrium.chat.generation")
record GenerationProperties(
        @DefaultValue("3") @Min(1) @Max(1_000) int maxPerUser,
        @DefaultValue("200") @Min(1) @Max(100_000) int maxPerReplica,
        @DefaultValue("250ms") @NotNull Duration flushInterval,
        @DefaultValue("4096") @Min(1) int flushBytes,
        @DefaultValue("5s") @NotNull Duration heartbeat,
        @DefaultValue("60s") @NotNull Duration interruptedAfter,
        @DefaultValue("1m") @NotNull Duration interruptedCheck,
        @DefaultValue("2s") @NotNull Duration pollInterval,
        @DefaultValue("3s") @NotNull Duration stopWait) {
}
