package org.atrium.platform;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;

/**
 * Platform-wide {@code atrium.*} settings (feature modules bind their own {@code atrium.<feature>.*}). Each can be given as an environment variable in upper case with
 * underscores ({@code atrium.data-dir} is {@code ATRIUM_DATA_DIR}).
 *
 * @param dataDir    where Atrium keeps local state: the embedded PostgreSQL and stored files ({@code ./data})
 * @param command    what this run does; set from the command line, never configured by hand
 * @param log        log format
 * @param migrations what a serving replica does with the schema at startup
 * @param shutdown   what a replica does when asked to stop
 */
@Validated
@ConfigurationProperties("atrium")
public record AtriumProperties(
        @DefaultValue("./data") @NotNull Path dataDir,
        @DefaultValue("SERVE") @NotNull AtriumCommand command,
        @DefaultValue @Valid Log log,
        @DefaultValue @Valid Migrations migrations,
        @DefaultValue @Valid Shutdown shutdown) {

    /**
     * Stopping.
     *
     * @param drainDelay how long a replica that received SIGTERM keeps accepting requests while its readiness already
     *                   answers 503 ({@code 0s}), before the web server stops accepting and waits for the requests in
     *                   flight: load balancers that follow readiness (rather than the orchestrator's endpoint
     *                   removal) stop sending new requests first. Kubernetes deployments use the pod's preStop
     *                   sleep for the same purpose (the Helm chart does); either is enough
     */
    public record Shutdown(@DefaultValue("0s") @NotNull java.time.Duration drainDelay) {
    }

    /**
     * Logging.
     *
     * @param json one JSON object per line; defaults to {@code true} in cluster mode (Redis configured) and
     *             {@code false} on a single node
     */
    public record Log(@DefaultValue("false") boolean json) {
    }

    /**
     * Schema handling at startup.
     *
     * @param onStartup {@code migrate} (apply pending migrations, safe with replicas starting together) or
     *                  {@code validate} (only check, when a {@code migrate} Job runs before the rollout)
     */
    public record Migrations(@DefaultValue("migrate") @NotNull OnStartup onStartup) {

        /** What a serving replica does with the schema. */
        public enum OnStartup { MIGRATE, VALIDATE }
    }
}
