package org.atrium.platform.internal;

import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.atrium.platform.LogEvents;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides what happens to the schema when Atrium starts, and refuses databases this build does not understand.
 *
 * <p>Before anything is applied, the schema history is compared with the migrations in this build. Atrium refuses
 * to start when the history holds a migration this build does not have (a newer build ran against the database, or
 * a migration was removed), a migration whose checksum differs from this build's file, or a failed migration. Each
 * refusal says what to do. Concurrent startups are safe: Flyway holds a PostgreSQL advisory lock while it migrates,
 * so replicas that start together apply each migration exactly once.
 */
@Component
class MigrationGate implements FlywayMigrationStrategy {

    private static final Logger log = LoggerFactory.getLogger(MigrationGate.class);

    private final AtriumProperties properties;

    MigrationGate(AtriumProperties properties) {
        this.properties = properties;
    }

    @Override
    public void migrate(Flyway flyway) {
        refuseUnknownState(flyway);
        boolean onlyValidate = switch (properties.command()) {
            case MIGRATE -> false;
            case SERVE -> properties.migrations().onStartup() == AtriumProperties.Migrations.OnStartup.VALIDATE;
            case VALIDATE, ROTATE_SECRETS, AUDIT -> true;
        };
        if (onlyValidate) {
            refusePending(flyway);
            LogEvents.info(log, "database.schema.validated")
                    .addKeyValue("version", String.valueOf(flyway.info().current() == null ? "none"
                            : flyway.info().current().getVersion()))
                    .log();
            return;
        }
        long started = System.nanoTime();
        try {
            MigrateResult result = flyway.migrate();
            LogEvents.info(log, "database.schema.migrated")
                    .addKeyValue("applied", result.migrationsExecuted)
                    .addKeyValue("version", String.valueOf(result.targetSchemaVersion))
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000)
                    .log();
        } catch (FlywayException failure) {
            throw refusal("a migration failed while being applied: "
                    + essentials(failure.getMessage())
                    + ". On PostgreSQL the failed migration's transaction was rolled back.",
                    "Read the error above. If the migration itself is wrong, this build cannot run against this"
                            + " database: deploy a fixed build. If the database was changed by hand, restore it from"
                            + " a backup.", failure);
        }
    }

    private void refuseUnknownState(Flyway flyway) {
        MigrationInfo[] all = flyway.info().all();
        List<String> unknown = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (MigrationInfo migration : all) {
            MigrationState state = migration.getState();
            switch (state) {
                case FUTURE_SUCCESS, FUTURE_FAILED, MISSING_SUCCESS, MISSING_FAILED -> unknown.add(name(migration));
                default -> {
                }
            }
            if (state.isFailed()) {
                failed.add(name(migration));
            }
            if (migration.isApplied() && migration.getResolvedChecksum() != null && !migration.isChecksumMatching()) {
                changed.add(name(migration));
            }
        }
        if (!unknown.isEmpty()) {
            throw refusal("the database has applied migrations that this build does not"
                    + " know: " + String.join(", ", unknown) + ". A newer Atrium has migrated it (or a migration"
                    + " was removed from this build).",
                    "Run the Atrium version that applied these migrations, or a newer one. To go back to this"
                            + " version, restore the database from a backup taken before the upgrade.", null);
        }
        if (!failed.isEmpty()) {
            throw refusal("the schema history records failed migrations: "
                    + String.join(", ", failed) + ". The schema is in an unknown state.",
                    "Compare the schema with the failed migration and complete or undo its changes by hand (or"
                            + " restore a backup), delete the failed rows from flyway_schema_history, then start"
                            + " Atrium again.", null);
        }
        if (!changed.isEmpty()) {
            throw refusal("migrations were changed after they were applied (checksum"
                    + " mismatch): " + String.join(", ", changed) + ".",
                    "Deploy the build whose migrations were applied to this database. Applied migrations must"
                            + " never be edited; put changes in a new migration.", null);
        }
    }

    private void refusePending(Flyway flyway) {
        List<String> pending = Arrays.stream(flyway.info().pending()).map(MigrationInfo::getVersion)
                .map(v -> "V" + v).toList();
        if (!pending.isEmpty()) {
            throw refusal("the database lacks migrations this build needs: "
                    + String.join(", ", pending) + ".",
                    properties.command() == AtriumCommand.SERVE
                            ? "Run `java -jar atrium.jar migrate` (the migrate Job) before starting this version, or"
                            + " set ATRIUM_MIGRATIONS_ON_STARTUP=migrate."
                            : "Run `java -jar atrium.jar migrate` against this database first.", null);
        }
    }

    /**
     * A refusal in the words of what was asked for: a serving replica refuses to start; {@code validate} reports a
     * database that does not match (exit 1); any other command says it cannot run (exit 2).
     */
    private DatabaseNotUnderstoodException refusal(String found, String action, Throwable cause) {
        AtriumCommand command = properties.command();
        return switch (command) {
            case SERVE -> new DatabaseNotUnderstoodException("Atrium refuses to start", found, action,
                    AtriumCommand.EXIT_COULD_NOT_RUN, cause);
            case VALIDATE -> new DatabaseNotUnderstoodException("validate: the database does not match this build",
                    found, action, AtriumCommand.EXIT_FOUND, cause);
            default -> new DatabaseNotUnderstoodException("`" + command.word() + "` cannot run", found, action,
                    AtriumCommand.EXIT_COULD_NOT_RUN, cause);
        };
    }

    private static String name(MigrationInfo migration) {
        return migration.getVersion() == null ? migration.getDescription()
                : "V" + migration.getVersion() + " (" + migration.getDescription() + ")";
    }

    /** Flyway's first line (which script) and the database's own error, without Flyway's advice to run it by hand. */
    private static String essentials(String message) {
        if (message == null) {
            return "unknown error";
        }
        List<String> lines = message.strip().lines().map(String::strip).toList();
        List<String> kept = new ArrayList<>();
        kept.add(lines.getFirst());
        lines.stream().filter(line -> line.startsWith("SQL State") || line.startsWith("Message")
                || line.startsWith("Location") || line.startsWith("Line")).forEach(kept::add);
        return String.join("; ", kept);
    }
}
