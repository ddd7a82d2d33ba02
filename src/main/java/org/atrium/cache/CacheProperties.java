package org.atrium.cache;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The effective-state cache ({@code atrium.cache.*}).
 *
 * @param keyPrefix     prefix of every Redis key Atrium writes ({@code atrium:}); give each installation sharing a
 *                      Redis its own
 * @param entryTtl      how long an entry may stay in Redis or in memory without being read ({@code 1h}); only
 *                      bounds memory, correctness never depends on it
 * @param localEntries  how many entries each replica keeps in memory ({@code 10000}; 0 turns the in-memory layer
 *                      off in cluster mode)
 * @param relayInterval how often each replica copies recently raised versions from PostgreSQL to Redis, repairing
 *                      a writer that could not ({@code 1s})
 * @param redisStartupTimeout how long startup keeps asking Redis for its configuration (the requirements check)
 *                      before refusing to start ({@code 60s}); attempts back off from 250 ms to 5 s
 * @param redisProbeInterval how often each replica pings Redis for its health component, metric and log events
 *                      ({@code 2s})
 */
@Validated
@ConfigurationProperties("atrium.cache")
public record CacheProperties(
        @DefaultValue("atrium:") @NotNull String keyPrefix,
        @DefaultValue("1h") @NotNull Duration entryTtl,
        @DefaultValue("10000") int localEntries,
        @DefaultValue("1s") @NotNull Duration relayInterval,
        @DefaultValue("60s") @NotNull Duration redisStartupTimeout,
        @DefaultValue("2s") @NotNull Duration redisProbeInterval) {
}
