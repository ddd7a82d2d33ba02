package org.atrium.platform;

import java.util.Locale;

/** What one run of the Atrium binary does, chosen by its first command-line argument. */
public enum AtriumCommand {
    /** Serve HTTP (no argument, or any argument that is not a command). */
    SERVE,
    /** Apply pending migrations, then exit 0; exit 1 when the database is not in a state this build understands. */
    MIGRATE,
    /** Check that the database is exactly at this build's schema, then exit 0 or 1. */
    VALIDATE,
    /** Re-encrypt every stored secret with the active secrets key, then exit 0 or 1. */
    ROTATE_SECRETS,
    /** Count what deletions left behind in each store (rows, vectors, stored bytes, jobs); exit 1 when any. */
    AUDIT;

    /** The property through which the chosen command reaches the application context. */
    public static final String PROPERTY = "atrium.command";

    /**
     * Reads the command from the arguments.
     *
     * @param args the process arguments
     * @return the command; {@link #SERVE} when the first argument is not {@code migrate}, {@code validate},
     * {@code rotate-secrets} or {@code audit}
     */
    public static AtriumCommand fromArguments(String[] args) {
        if (args.length == 0) {
            return SERVE;
        }
        return switch (args[0].toLowerCase(Locale.ROOT)) {
            case "migrate" -> MIGRATE;
            case "validate" -> VALIDATE;
            case "rotate-secrets" -> ROTATE_SECRETS;
            case "audit" -> AUDIT;
            default -> SERVE;
        };
    }
}
