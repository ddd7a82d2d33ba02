package org.atrium.cache;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Atrium refuses to start on this Redis: what was found, and what the operator should do. Startup prints both as a
 * failure analysis, without a stack trace ({@link Analyzer}).
 */
final class RedisRefusedException extends IllegalStateException {

    private final String found;
    private final String action;

    RedisRefusedException(String found, String action, @Nullable Throwable cause) {
        super(found + " " + action, cause);
        this.found = found;
        this.action = action;
    }

    /** Prints a refused Redis as a statement and an action (registered in {@code META-INF/spring.factories}). */
    static final class Analyzer extends AbstractFailureAnalyzer<RedisRefusedException> {

        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, RedisRefusedException cause) {
            return new FailureAnalysis(cause.found, cause.action, cause);
        }
    }
}
