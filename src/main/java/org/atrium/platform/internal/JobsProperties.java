package org.atrium.platform.internal;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Background jobs ({@code atrium.jobs.*}), run by db-scheduler from the {@code scheduled_tasks} table, so that any
 * replica can run any job and a job whose replica died is run again elsewhere.
 *
 * @param threads               jobs this replica runs at once ({@code 4})
 * @param pollingInterval       how often a replica looks for due jobs ({@code 500ms}), so a new job starts within
 *                              about this long on whichever replica polls first
 * @param heartbeatInterval     how often a running job's replica proves it is alive ({@code 2s}); a job whose
 *                              heartbeat is four intervals old is taken over by another replica
 * @param shutdownMaxWait       how long shutdown waits for running jobs before leaving them to other replicas
 *                              ({@code 5s})
 */
@Validated
@ConfigurationProperties("atrium.jobs")
record JobsProperties(
        @DefaultValue("4") @Min(1) int threads,
        @DefaultValue("500ms") @NotNull Duration pollingInterval,
        @DefaultValue("2s") @NotNull Duration heartbeatInterval,
        @DefaultValue("5s") @NotNull Duration shutdownMaxWait) {
}
