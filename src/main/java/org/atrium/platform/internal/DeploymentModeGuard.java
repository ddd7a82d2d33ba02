package org.atrium.platform.internal;

import com.zaxxer.hikari.HikariDataSource;
import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One database is served in one mode at a time. Without Redis a process keeps its cache versions in its own memory,
 * so it would never learn about another serving process's writes, nor they about its. Every serving process holds a
 * PostgreSQL session advisory lock on one key for its whole life: a single-node process exclusively, a cluster
 * replica shared. So a second single-node process, a single-node process next to cluster replicas, and a cluster
 * replica next to a single-node process all refuse to start, while any number of cluster replicas start together.
 * The lock goes with the session, so a restart in the same mode (even after a crash) works, and switching modes
 * needs nothing but stopping every process of the old mode first. Commands ({@code migrate}, {@code audit}, ...)
 * serve nothing and take no lock.
 *
 * <p>The session is a dedicated JDBC connection outside the pool ({@code application_name}
 * {@value #APPLICATION_NAME}), checked every 10 seconds ({@link #CHECK_INTERVAL}): when it died (PostgreSQL
 * restarted or failed over, the backend was terminated, an idle timeout) or no longer holds the lock, the guard
 * connects again and takes the lock again. If a process of the other mode took it meanwhile, this process may already
 * have missed its writes: it logs {@code deployment_mode.lock.lost}, reports liveness {@code BROKEN} and readiness
 * {@code REFUSING_TRAFFIC} for good, so that the orchestrator restarts it, and the restart then refuses to start with
 * the usual message. While PostgreSQL cannot be reached it keeps trying at each check.
 */
@Component
@EnableScheduling
class DeploymentModeGuard implements DisposableBean {

    /** The {@code application_name} of the guard's session, to find it in {@code pg_stat_activity}. */
    static final String APPLICATION_NAME = "atrium-deployment-mode-guard";
    /** How often the session and its lock are checked (after the first interval). */
    static final String CHECK_INTERVAL = "PT10S";

    private static final Logger log = LoggerFactory.getLogger(DeploymentModeGuard.class);
    /** The lock key, 'Atrm': a constant so that {@code pg_locks} shows it as {@code classid 0, objid KEY}. */
    private static final long KEY = 0x4174726DL;
    private static final String THIS_DATABASE = " and classid = 0 and objid = " + KEY + " and objsubid = 1"
            + " and database = (select oid from pg_database where datname = current_database())";
    private static final String HOLDER_MODE = "select mode from pg_locks where locktype = 'advisory' and granted"
            + THIS_DATABASE + " limit 1";
    private static final String HELD_HERE = "select count(*) from pg_locks where locktype = 'advisory' and granted"
            + " and pid = pg_backend_pid()" + THIS_DATABASE;

    private final @Nullable String url;
    private final Properties connectionProperties = new Properties();
    private final boolean cluster;
    private final ApplicationEventPublisher events;
    private @Nullable Connection held;
    private boolean lost;
    private boolean closed;

    DeploymentModeGuard(DataSource dataSource, AtriumProperties properties, ApplicationEventPublisher events,
                        @Value("${" + DeploymentModeEnvironment.MODE_PROPERTY + "}") String mode) throws SQLException {
        this.cluster = "cluster".equals(mode);
        this.events = events;
        if (properties.command() != AtriumCommand.SERVE) {
            url = null;
            return;
        }
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        url = pool.getJdbcUrl();
        connectionProperties.putAll(pool.getDataSourceProperties());
        if (pool.getUsername() != null) {
            connectionProperties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            connectionProperties.setProperty("password", pool.getPassword());
        }
        connectionProperties.setProperty("ApplicationName", APPLICATION_NAME);
        // Bounds, so that a check against an unreachable server ends before the next one is due.
        connectionProperties.setProperty("connectTimeout", "10");
        connectionProperties.setProperty("loginTimeout", "10");
        connectionProperties.setProperty("socketTimeout", "30");
        connectionProperties.setProperty("tcpKeepAlive", "true");
        Connection connection = DriverManager.getConnection(url, connectionProperties);
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

    /** Checks that the session lives and holds the lock; takes it again on a new session when not. */
    @Scheduled(initialDelayString = CHECK_INTERVAL, fixedDelayString = CHECK_INTERVAL)
    synchronized void check() {
        if (url == null || lost || closed) {
            return;
        }
        Connection current = held;
        if (current != null && holdsLock(current)) {
            return;
        }
        closeQuietly(current);
        held = null;
        try {
            Connection connection = DriverManager.getConnection(url, connectionProperties);
            if (tryLock(connection, cluster)) {
                held = connection;
                LogEvents.warn(log, "deployment_mode.lock.retaken").addKeyValue("mode", mode()).log();
                return;
            }
            String holder = holderMode(connection);
            closeQuietly(connection);
            lost = true;
            LogEvents.error(log, "deployment_mode.lock.lost").addKeyValue("mode", mode())
                    .addKeyValue("holder_mode", holder).addKeyValue("reason", refusal(cluster, holder)).log();
            AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
            AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        } catch (SQLException unreachable) {
            LogEvents.warn(log, "deployment_mode.lock.reconnect_failed").addKeyValue("mode", mode())
                    .addKeyValue("reason", unreachable.getClass().getSimpleName()).log();
        }
    }

    private String mode() {
        return cluster ? "cluster" : "single";
    }

    private static boolean holdsLock(Connection connection) {
        try (PreparedStatement statement = connection.prepareStatement(HELD_HERE);
             ResultSet result = statement.executeQuery()) {
            return result.next() && result.getLong(1) > 0;
        } catch (SQLException dead) {
            LogEvents.warn(log, "deployment_mode.lock.session_lost")
                    .addKeyValue("reason", dead.getClass().getSimpleName()).log();
            return false;
        }
    }

    private static void closeQuietly(@Nullable Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // a dead session: its lock is gone already
        }
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
    public synchronized void destroy() {
        closed = true;
        closeQuietly(held);
        held = null;
    }
}
