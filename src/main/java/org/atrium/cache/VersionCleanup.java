package org.atrium.cache;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;

/**
 * Removes the version rows of deleted users and groups, which would otherwise accumulate in {@code cache_versions}
 * forever. A row goes only when its user or group no longer exists and it was last raised more than
 * {@link #retention} ago: by then no cache entry stamped with an older version of the scope exists anywhere, so
 * reading the missing row as version 0 can never validate a stale entry (the argument is in docs/consistency.md,
 * "Version rows of deleted users and groups"). A recurring db-scheduler task runs it once per
 * {@link #INTERVAL} across the cluster.
 */
@Configuration(proxyBeanMethods = false)
class VersionCleanup {

    /** How often the cleanup runs. */
    static final Duration INTERVAL = Duration.ofHours(1);

    /** The least time a deleted principal's row is kept after its last raise. */
    static final Duration MIN_RETENTION = Duration.ofHours(24);

    private static final Logger log = LoggerFactory.getLogger(VersionCleanup.class);

    private final JdbcClient jdbc;
    private final Duration retention;

    VersionCleanup(JdbcClient jdbc, CacheProperties properties) {
        this.jdbc = jdbc;
        // Twice the entry lifetime at least: an entry stamped before the deletion is gone by one lifetime after it.
        Duration twiceTtl = properties.entryTtl().multipliedBy(2);
        this.retention = twiceTtl.compareTo(MIN_RETENTION) > 0 ? twiceTtl : MIN_RETENTION;
    }

    @Bean
    Task<Void> cacheVersionCleanupTask() {
        return Tasks.recurring("cache-version-cleanup", FixedDelay.of(INTERVAL))
                .execute((instance, context) -> removeDeleted());
    }

    /** @return how long a deleted principal's row is kept after its last raise */
    Duration retention() {
        return retention;
    }

    /**
     * Deletes the rows of users and groups that no longer exist, last raised more than {@link #retention()} ago.
     *
     * @return how many rows went
     */
    int removeDeleted() {
        int removed = jdbc.sql("""
                        delete from cache_versions v
                        where v.updated_at < now() - make_interval(secs => :retention)
                          and ((v.scope like 'u:%' and not exists (select 1 from users u
                                                                   where u.id::text = substr(v.scope, 3)))
                            or (v.scope like 'g:%' and not exists (select 1 from groups g
                                                                   where g.id::text = substr(v.scope, 3))))""")
                .param("retention", (double) retention.toSeconds()).update();
        if (removed > 0) {
            LogEvents.info(log, "cache.versions.removed").addKeyValue("rows", removed).log();
        }
        return removed;
    }
}
