package org.atrium.platform.internal;

import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.DatabaseDriver;

import java.sql.DriverManager;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Each way a database can be misconfigured, provoked for real against the test PostgreSQL (or no server at all), and
 * wrapped as startup wraps it: the analysis names the variable to fix. The whole startup path is in
 * {@code DeploymentModeTest}.
 */
class DatabaseConnectionFailureAnalyzerTest {

    private final DatabaseConnectionFailureAnalyzer analyzer = new DatabaseConnectionFailureAnalyzer();
    private final TestInfrastructure.Database database = TestInfrastructure.createDatabase("analysis");

    @Test
    void aUrlThatIsNotJdbcNamesTheVariableAndTheFormItNeeds() {
        Throwable notJdbc = catchThrowable(() -> DatabaseDriver.fromJdbcUrl("postgres://db:5432/atrium"));

        FailureAnalysis analysis = analyzer.analyze(startup(notJdbc));

        assertThat(analysis.getDescription()).isEqualTo("SPRING_DATASOURCE_URL is not a JDBC URL.");
        assertThat(analysis.getAction()).contains("jdbc:postgresql://<host>:<port>/<database>")
                .contains("SPRING_DATASOURCE_USERNAME");
    }

    @Test
    void aPortWhereNothingListensPointsAtTheUrlsHostAndPort() {
        SQLException refused = connect("jdbc:postgresql://127.0.0.1:" + TestInfrastructure.freePort() + "/atrium",
                database.user(), database.password());

        FailureAnalysis analysis = analyzer.analyze(startup(refused));

        assertThat(analysis.getDescription()).startsWith("Atrium could not use the PostgreSQL database of"
                + " SPRING_DATASOURCE_URL:").contains("refused");
        assertThat(analysis.getAction()).startsWith("Check the host and port in SPRING_DATASOURCE_URL");
    }

    @Test
    void anUnknownHostSaysSo() {
        SQLException unknown = connect("jdbc:postgresql://no-such-host.invalid:5432/atrium", "atrium", "secret");

        assertThat(analyzer.analyze(startup(unknown)).getAction())
                .startsWith("The host in SPRING_DATASOURCE_URL is not known here");
    }

    @Test
    void aUserTheServerRefusesNamesTheUsernameAndPasswordVariables() {
        SQLException refused = connect(database.jdbcUrl(), "no_such_role_" + TestInfrastructure.runId(),
                "wrong-password");

        FailureAnalysis analysis = analyzer.analyze(startup(refused));

        assertThat(refused.getSQLState()).isIn("28P01", "28000");
        assertThat(analysis.getAction()).startsWith("Check SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD");
        assertThat(analysis.getDescription()).doesNotContain("wrong-password");
    }

    @Test
    void aDatabaseThatDoesNotExistIsToBeCreatedOrRenamed() {
        String url = database.jdbcUrl().replace(database.name(), "no_such_database_" + TestInfrastructure.runId());
        SQLException missing = connect(url, database.user(), database.password());

        FailureAnalysis analysis = analyzer.analyze(startup(missing));

        assertThat(missing.getSQLState()).isEqualTo("3D000");
        assertThat(analysis.getAction()).startsWith("Create the database named in SPRING_DATASOURCE_URL");
    }

    @Test
    void otherFailuresAreLeftToOtherAnalyzers() {
        assertThat(analyzer.analyze(startup(new IllegalStateException("something else")))).isNull();
        assertThat(analyzer.analyze(startup(new SQLException("a statement failed", "42P01")))).isNull();
    }

    /** As Spring reports it: the failure wrapped in a bean creation failure. */
    private static Throwable startup(Throwable cause) {
        return new BeanCreationException("dataSource", "Failed to instantiate", cause);
    }

    private static SQLException connect(String url, String user, String password) {
        return catchThrowableOfType(SQLException.class, () -> DriverManager.getConnection(url, user, password)
                .close());
    }
}
