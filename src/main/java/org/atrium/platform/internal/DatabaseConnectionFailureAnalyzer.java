package org.atrium.platform.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * Startup that fails because the database cannot be reached or refuses Atrium, said in one statement that names the
 * variable to fix ({@code SPRING_DATASOURCE_URL}, {@code _USERNAME}, {@code _PASSWORD}) instead of a stack trace
 * several screens long. It quotes the driver's message, which names the host and port, the user or the database,
 * never a password.
 */
final class DatabaseConnectionFailureAnalyzer implements FailureAnalyzer {

    private static final String FORM = "jdbc:postgresql://<host>:<port>/<database>";

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage())
                    .startsWith("'url' must start with \"jdbc\"")) {
                return new FailureAnalysis("SPRING_DATASOURCE_URL is not a JDBC URL.", "Set SPRING_DATASOURCE_URL"
                        + " to " + FORM + " (a URL such as postgres://... or postgresql://... is not one; the user and"
                        + " password go in SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD).", failure);
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                FailureAnalysis analysis = analyze(sql, failure);
                if (analysis != null) {
                    return analysis;
                }
            }
        }
        return null;
    }

    private static @Nullable FailureAnalysis analyze(SQLException sql, Throwable failure) {
        String state = sql.getSQLState();
        String found = "Atrium could not use the PostgreSQL database of SPRING_DATASOURCE_URL: " + sql.getMessage();
        if (state.startsWith("08")) {
            String action = hasCause(sql, UnknownHostException.class)
                    ? "The host in SPRING_DATASOURCE_URL is not known here: fix SPRING_DATASOURCE_URL (" + FORM
                    + ") or this machine's name resolution."
                    : "Check the host and port in SPRING_DATASOURCE_URL (" + FORM + "), that PostgreSQL is running,"
                    + " and that it accepts connections from here (listen_addresses, pg_hba.conf, network policies).";
            return new FailureAnalysis(found, action, failure);
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return new FailureAnalysis(found, "Check SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD (and"
                    + " the secret they come from), and that pg_hba.conf lets that user connect from here.", failure);
        }
        if (state.equals("3D000")) {
            return new FailureAnalysis(found, "Create the database named in SPRING_DATASOURCE_URL (CREATE DATABASE,"
                    + " owned by SPRING_DATASOURCE_USERNAME), or fix its name in SPRING_DATASOURCE_URL.", failure);
        }
        return null;
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
