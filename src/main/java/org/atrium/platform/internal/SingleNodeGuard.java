package org.atrium.platform.internal;

import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Without Redis, each process keeps its cache versions in its own memory, so a second serving process on the same
 * database would never learn about the first one's writes. In single-node mode a serving process therefore holds a
 * PostgreSQL session advisory lock for its whole life and refuses to start when another process holds it: several
 * replicas need Redis (cluster mode).
 */
@Component
class SingleNodeGuard implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SingleNodeGuard.class);
    private static final String LOCK = "select pg_try_advisory_lock(hashtext('atrium.single-node'))";

    private final Connection held;

    SingleNodeGuard(DataSource dataSource, AtriumProperties properties,
                    @Value("${" + DeploymentModeEnvironment.MODE_PROPERTY + "}") String mode) throws SQLException {
        if (!"single-node".equals(mode) || properties.command() != AtriumCommand.SERVE) {
            held = null;
            return;
        }
        Connection connection = dataSource.getConnection();
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(LOCK)) {
            result.next();
            if (!result.getBoolean(1)) {
                connection.close();
                throw new IllegalStateException("Another Atrium process is serving this database without Redis."
                        + " Several processes on one database must share a Redis: set SPRING_DATA_REDIS_URL on every"
                        + " replica (cluster mode), or stop the other process.");
            }
        }
        LogEvents.debug(log, "single_node.lock.acquired").log();
        held = connection;
    }

    @Override
    public void destroy() throws SQLException {
        if (held != null) {
            held.close();
        }
    }
}
