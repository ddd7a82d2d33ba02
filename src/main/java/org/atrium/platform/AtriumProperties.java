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
 */
@Validated
@ConfigurationProperties("atrium")
public record AtriumProperties(
        @DefaultValue("./data") @NotNull Path dataDir,
        @DefaultValue("SERVE") @NotNull AtriumCommand command,
        @DefaultValue @Valid Log log,
        @DefaultValue @Valid Migrations migrations) {

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
