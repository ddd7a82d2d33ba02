package org.atrium.testing;

import org.atrium.cache.Invalidation;
import org.atrium.cache.Scope;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.Map;

/**
 * Test set-up that changes rows directly (an expiry in the past, a role) goes through the same protocol as product
 * writes: one transaction that raises the cache scopes it affects. Without it, the never-stale cache would rightly
 * keep serving what the product last wrote.
 */
public final class DirectWrites {

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final Invalidation invalidation;

    public DirectWrites(JdbcClient jdbc, PlatformTransactionManager transactions, Invalidation invalidation) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
        this.invalidation = invalidation;
    }

    /**
     * Runs one update and raises the scopes.
     *
     * @return the number of rows changed
     */
    public int update(String sql, Map<String, ?> parameters, Scope... scopes) {
        Integer rows = transaction.execute(status -> {
            int changed = jdbc.sql(sql).params(parameters).update();
            invalidation.changed(List.of(scopes));
            return changed;
        });
        return rows == null ? 0 : rows;
    }
}
