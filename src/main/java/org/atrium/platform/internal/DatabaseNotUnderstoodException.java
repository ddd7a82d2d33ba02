package org.atrium.platform.internal;

/**
 * The database is in a state this build must not run against. The message says what was found; {@link #action()}
 * says what the operator should do. Startup ends with both printed.
 */
final class DatabaseNotUnderstoodException extends RuntimeException {

    private final String action;

    DatabaseNotUnderstoodException(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    String action() {
        return action;
    }
}
