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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One database is served in one mode at a time. Without Redis a process keeps its cache versions in its own memory,
 * so it would never learn about another serving process's writes, nor they about its. Every serving process holds a
 * PostgreSQL session advisory lock on one key for its whole life: a single-node process exclusively, a cluster
 * replica shared. So a second single-node process, a single-node process next to cluster replicas, and a cluster
 * replica next to a single-node process all refuse to start, while any number of cluster replicas start together.
 * The lock goes with the session, so a restart in the same mode (even after a crash) works, and switching modes
 * needs nothing but stopping every process of the old mode first. Commands ({@code migrate}, {@code audit}, ...)
 * serve nothing and take no lock.
 */
@Component
class DeploymentModeGuard implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DeploymentModeGuard.class);
    /** The lock key, 'Atrm': a constant so that {@code pg_locks} shows it as {@code classid 0, objid KEY}. */
    private static final long KEY = 0x4174726DL;
    private static final String HOLDER_MODE = "select mode from pg_locks where locktype = 'advisory' and granted"
            + " and classid = 0 and objid = " + KEY + " and objsubid = 1"
            + " and database = (select oid from pg_database where datname = current_database()) limit 1";

    private final Connection held;

    DeploymentModeGuard(DataSource dataSource, AtriumProperties properties,
                        @Value("${" + DeploymentModeEnvironment.MODE_PROPERTY + "}") String mode) throws SQLException {
        if (properties.command() != AtriumCommand.SERVE) {
            held = null;
            return;
        }
        boolean cluster = "cluster".equals(mode);
        Connection connection = dataSource.getConnection();
        try {
            if (!tryLock(connection, cluster)) {
                throw new IllegalStateException(refusal(cluster, holderMode(connection)));
            }
        } catch (SQLException | RuntimeException failure) {
            connection.close();
            throw failure;
        }
        LogEvents.debug(log, "deployment_mode.lock.acquired").addKeyValue("mode", mode).log();
        held = connection;
    }

    private static boolean tryLock(Connection connection, boolean shared) throws SQLException {
        String function = shared ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
        try (PreparedStatement statement = connection.prepareStatement("select " + function + "(" + KEY + ")");
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getBoolean(1);
        }
    }

    private static String holderMode(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(HOLDER_MODE);
             ResultSet result = statement.executeQuery()) {
            return result.next() ? result.getString(1) : "";
        }
    }

    private static String refusal(boolean cluster, String holderMode) {
        if (cluster) {
            return "A single-node Atrium (started without SPRING_DATA_REDIS_URL) is serving this database, and a"
                    + " cluster replica next to it would not see its writes. Stop it before starting cluster"
                    + " replicas: that is how a single-node installation moves to cluster mode.";
        }
        if ("ShareLock".equals(holderMode)) {
            return "Cluster replicas (started with SPRING_DATA_REDIS_URL) are serving this database, and a process"
                    + " without Redis would not see their writes, nor they its. Set SPRING_DATA_REDIS_URL to their"
                    + " Redis to join them, or stop every replica first to serve this database from a single node.";
        }
        return "Another Atrium process is serving this database without Redis. Several processes on one database"
                + " must share a Redis: set SPRING_DATA_REDIS_URL on every replica (cluster mode), or stop the other"
                + " process.";
    }

    @Override
    public void destroy() throws SQLException {
        if (held != null) {
            held.close();
        }
    }
}
