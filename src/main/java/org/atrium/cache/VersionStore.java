package org.atrium.cache;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** SQL for the authoritative versions in {@code cache_versions}. A scope without a row has version 0. */
@Repository
class VersionStore {

    /** A version and when it was last raised. */
    record Row(String scope, long version) {
    }

    private final JdbcClient jdbc;

    VersionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Reads versions in the caller's transaction (and so in its snapshot). */
    Map<String, Long> read(Collection<String> scopes) {
        Map<String, Long> versions = new HashMap<>();
        scopes.forEach(scope -> versions.put(scope, 0L));
        if (scopes.isEmpty()) {
            return versions;
        }
        jdbc.sql("select scope, version from cache_versions where scope = any(:scopes)")
                .param("scopes", scopes.toArray(String[]::new))
                .query((rs, row) -> new Row(rs.getString("scope"), rs.getLong("version")))
                .list().forEach(row -> versions.put(row.scope(), row.version()));
        return versions;
    }

    /** Makes sure each scope has a row and locks the rows, in sorted order so writers cannot deadlock. */
    void lock(List<String> sortedScopes) {
        for (String scope : sortedScopes) {
            jdbc.sql("""
                            insert into cache_versions (scope, version) values (:scope, 0)
                            on conflict (scope) do update set updated_at = cache_versions.updated_at""")
                    .param("scope", scope).update();
        }
    }

    long nextVersion() {
        return jdbc.sql("select nextval('cache_version_seq')").query(Long.class).single();
    }

    void set(List<String> scopes, long version) {
        jdbc.sql("update cache_versions set version = :version, updated_at = clock_timestamp()"
                        + " where scope = any(:scopes)")
                .param("version", version).param("scopes", scopes.toArray(String[]::new)).update();
    }

    /**
     * Brings a scope that the shared store holds ahead of PostgreSQL up to the shared store's version. A writer
     * raises the shared store only while it holds the scope's row lock; so if the lock can be taken at once (a
     * reader never queues behind a writer here) and the row is still behind, its writer rolled back or died, the data is unchanged, and moving the version
     * up is harmless. Must run in its own transaction.
     *
     * @return whether the row was moved up
     */
    boolean repair(String scope, long sharedVersion) {
        jdbc.sql("set local lock_timeout = '1ms'").update();
        return jdbc.sql("""
                        insert into cache_versions (scope, version) values (:scope, :version)
                        on conflict (scope) do update set version = excluded.version, updated_at = clock_timestamp()
                        where cache_versions.version < excluded.version""")
                .param("scope", scope).param("version", sharedVersion).update() > 0;
    }

    /** Versions raised recently, for the relay. */
    List<Row> raisedSince(Duration window) {
        return jdbc.sql("select scope, version from cache_versions"
                        + " where updated_at > now() - make_interval(secs => :seconds)")
                .param("seconds", (double) window.toSeconds())
                .query((rs, row) -> new Row(rs.getString("scope"), rs.getLong("version"))).list();
    }
}
