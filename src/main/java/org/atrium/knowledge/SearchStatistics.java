package org.atrium.knowledge;

import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;

/**
 * Keeps the planner's statistics of the search tables current after bulk ingestion. Autovacuum analyses a table only
 * after a fifth of it changed and may never have looked at a table that filled in minutes; a search planned from no
 * statistics joins and sorts everything. After each file is ingested, the tables a search reads are analysed when more
 * than a tenth of their rows (or 1,000) changed since they last were, by one replica at a time.
 */
@Component
class SearchStatistics {

    private static final Logger log = LoggerFactory.getLogger(SearchStatistics.class);
    private static final long LOCK = 0x5EA2C4_57A7L;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    SearchStatistics(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactions);
    }

    /** Analyses the search tables of the space that changed enough; never fails the caller. */
    void refreshAfterIngestion(int spaceId) {
        try {
            transactions.executeWithoutResult(status -> {
                if (!jdbc.sql("select pg_try_advisory_xact_lock(:lock)").param("lock", LOCK).query(Boolean.class)
                        .single()) {
                    return;
                }
                List<String> stale = jdbc.sql("""
                                select relname from pg_stat_user_tables
                                where schemaname = current_schema()
                                  and relname in ('chunks', 'file_indexes', 'collection_files', 'files', :vectors)
                                  and n_mod_since_analyze > greatest(1000, n_live_tup / 10)""")
                        .param("vectors", "chunk_vectors_" + spaceId).query(String.class).list();
                for (String table : stale) {
                    long started = System.nanoTime();
                    jdbc.sql("analyze " + table).update();
                    LogEvents.info(log, "knowledge.statistics.refreshed").addKeyValue("table", table)
                            .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
                }
            });
        } catch (DataAccessException failure) {
            LogEvents.warn(log, "knowledge.statistics.refresh_failed")
                    .addKeyValue("reason", failure.getMostSpecificCause().getMessage()).log();
        }
    }
}
