package org.atrium.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Decides {@link RequiresPgVector}: run, skip with a reason, or (when CI requires pgvector) fail. */
final class PgVectorCondition implements ExecutionCondition {

    /** Set to {@code true} to turn a missing pgvector from a skip into a failure. */
    static final String REQUIRE = "ATRIUM_TEST_REQUIRE_PGVECTOR";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (TestInfrastructure.pgvectorAvailable()) {
            return ConditionEvaluationResult.enabled("pgvector is available on the test PostgreSQL");
        }
        String reason = "pgvector is not installed on the test PostgreSQL ("
                + (TestInfrastructure.embeddedPostgres() ? "the embedded PostgreSQL started for tests has none;"
                + " set ATRIUM_TEST_POSTGRES_URL to a server with pgvector to run this test"
                : "install the extension on the server named by ATRIUM_TEST_POSTGRES_URL") + ")";
        if (Boolean.parseBoolean(System.getenv(REQUIRE))) {
            throw new IllegalStateException(REQUIRE + " is set, so this test must run, but " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
