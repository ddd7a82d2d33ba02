package org.atrium.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A JDBC driver in front of PostgreSQL's that logs every round trip a connection makes on its caller's behalf (each
 * statement executed, commit, rollback, isolation change, validation), with the thread that made it: for tests that
 * prove a path makes none. Use it by prefixing the JDBC URL ({@code jdbc:logged:postgresql://...}) and naming
 * {@link #DRIVER} as the driver class.
 */
public final class StatementLog implements Driver {

    /** The driver class to configure. */
    public static final String DRIVER = StatementLog.class.getName();
    private static final String PREFIX = "jdbc:logged:";
    /** Connection methods that talk to the server (pgjdbc sends BEGIN with the next statement, not on its own). */
    private static final Set<String> ROUND_TRIPS = Set.of("commit", "rollback", "setTransactionIsolation", "isValid");
    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate", "executeBatch",
            "executeLargeUpdate", "executeLargeBatch");
    private static final List<Entry> LOG = new ArrayList<>();

    static {
        try {
            DriverManager.registerDriver(new StatementLog());
        } catch (SQLException impossible) {
            throw new ExceptionInInitializerError(impossible);
        }
    }

    /**
     * One round trip.
     *
     * @param thread the name of the thread that made it
     * @param sql    the statement, or the connection method's name
     */
    public record Entry(String thread, String sql) {
    }

    /**
     * @param jdbcUrl a PostgreSQL JDBC URL
     * @return the same database through this driver
     */
    public static String url(String jdbcUrl) {
        return PREFIX + jdbcUrl.substring("jdbc:".length());
    }

    /** @return the round trips logged since the last call, oldest first; the log starts empty again */
    public static List<Entry> drain() {
        synchronized (LOG) {
            List<Entry> entries = List.copyOf(LOG);
            LOG.clear();
            return entries;
        }
    }

    private static void log(String sql) {
        synchronized (LOG) {
            LOG.add(new Entry(Thread.currentThread().getName(), sql));
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Connection real = DriverManager.getConnection("jdbc:" + url.substring(PREFIX.length()), info);
        return wrap(Connection.class, real, (proxy, method, args) -> {
            if (ROUND_TRIPS.contains(method.getName())) {
                log(method.getName());
            }
            Object result = invoke(real, method, args);
            if (result instanceof CallableStatement statement) {
                return statement(CallableStatement.class, statement, (String) args[0]);
            }
            if (result instanceof PreparedStatement statement) {
                return statement(PreparedStatement.class, statement, (String) args[0]);
            }
            if (result instanceof Statement statement) {
                return statement(Statement.class, statement, null);
            }
            return result;
        });
    }

    private static <T extends Statement> T statement(Class<T> type, T real, String prepared) {
        return wrap(type, real, (proxy, method, args) -> {
            if (EXECUTES.contains(method.getName())) {
                log(prepared != null ? prepared : args != null && args.length > 0 ? String.valueOf(args[0])
                        : "batch");
            }
            return invoke(real, method, args);
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException failed) {
            throw failed.getCause();
        }
    }

    private static <T> T wrap(Class<T> type, T real, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(StatementLog.class.getClassLoader(), new Class<?>[]{type}, handler));
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
