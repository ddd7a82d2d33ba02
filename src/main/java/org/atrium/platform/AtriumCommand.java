package org.atrium.platform;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one run of the Atrium binary does, chosen by its command-line arguments. Arguments that start with
 * {@code --} are Spring Boot options ({@code --server.port=9090}) wherever they stand; the single other argument,
 * if any, is the command. Every command exits 0 when it did its work, 1 when its check found something (audit:
 * orphans; validate: a database that does not match this build) and 2 when it could not run.
 */
public enum AtriumCommand {
    /** Serve HTTP (no command, or {@code serve}). */
    SERVE("serve", "serve HTTP (the default when no command is given)"),
    /** Apply pending migrations, then exit 0; exit 2 when the database is not in a state this build understands. */
    MIGRATE("migrate", "apply pending database migrations, then exit"),
    /** Check that the database is exactly at this build's schema: exit 0 when it is, 1 when it is not. */
    VALIDATE("validate", "check that the database is exactly at this build's schema"),
    /** Re-encrypt every stored secret with the active secrets key, then exit 0 (2 when it could not). */
    ROTATE_SECRETS("rotate-secrets", "re-encrypt stored credentials with the active secrets key"),
    /** Count what deletions left behind in each store (rows, vectors, stored bytes, jobs); exit 1 when any. */
    AUDIT("audit", "count orphans per store (rows, vectors, stored bytes, jobs)");

    /** The property through which the chosen command reaches the application context. */
    public static final String PROPERTY = "atrium.command";

    /** Exit code of a command that did its work and found nothing wrong. */
    public static final int EXIT_OK = 0;
    /** Exit code of a command whose check found something: audit orphans, a database validate does not accept. */
    public static final int EXIT_FOUND = 1;
    /** Exit code of a command that could not run (unknown command, unreachable or unmigrated database, no key). */
    public static final int EXIT_COULD_NOT_RUN = 2;

    /**
     * Implemented by a failure that knows the exit code a command should end with (it is not Spring Boot's
     * {@code ExitCodeGenerator}, which Spring would try to publish on the context that failed to start).
     */
    public interface Outcome {
        /** @return the exit code */
        int exitCode();
    }

    private final String word;
    private final String description;

    AtriumCommand(String word, String description) {
        this.word = word;
        this.description = description;
    }

    /** @return the word that selects this command on the command line */
    public String word() {
        return word;
    }

    /**
     * Reads the command from the arguments.
     *
     * @param args the process arguments
     * @return the command, or empty when the arguments name no known command or more than one word
     */
    public static Optional<AtriumCommand> fromArguments(String[] args) {
        List<String> words = Arrays.stream(args).filter(arg -> !arg.startsWith("--")).toList();
        if (words.isEmpty()) {
            return Optional.of(SERVE);
        }
        if (words.size() > 1) {
            return Optional.empty();
        }
        String word = words.getFirst().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(command -> command.word.equals(word)).findFirst();
    }

    /** @return the usage text listing every command, for an unknown command */
    public static String usage() {
        return "Usage: java -jar atrium.jar [command] [--spring.property=value ...]\nCommands:\n"
                + Arrays.stream(values()).map(command -> String.format(Locale.ROOT, "  %-15s %s", command.word,
                        command.description)).collect(Collectors.joining("\n"))
                + "\nExit codes: 0 done, 1 the check found something (audit, validate), 2 could not run.";
    }
}
