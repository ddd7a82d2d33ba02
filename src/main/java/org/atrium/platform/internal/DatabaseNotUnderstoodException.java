package org.atrium.platform.internal;

import org.atrium.platform.AtriumCommand;

/**
 * The database is in a state this build must not run against. {@link #lead()} says what refuses (a serving Atrium,
 * or a command that cannot run), the message what was found, {@link #action()} what the operator should do. Startup
 * ends with all three printed, and a command exits with {@link #exitCode()}.
 */
final class DatabaseNotUnderstoodException extends RuntimeException implements AtriumCommand.Outcome {

    private final String lead;
    private final String action;
    private final int exitCode;

    DatabaseNotUnderstoodException(String lead, String message, String action, int exitCode, Throwable cause) {
        super(message, cause);
        this.lead = lead;
        this.action = action;
        this.exitCode = exitCode;
    }

    String lead() {
        return lead;
    }

    String action() {
        return action;
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
