package org.atrium.platform.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints a refused database as a plain statement of what was found and what to do, without a stack trace. */
final class DatabaseNotUnderstoodFailureAnalyzer extends AbstractFailureAnalyzer<DatabaseNotUnderstoodException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DatabaseNotUnderstoodException cause) {
        return new FailureAnalysis(cause.lead() + ": " + cause.getMessage(), cause.action(), cause);
    }
}
