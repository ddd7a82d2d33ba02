package org.atrium.knowledge;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import org.atrium.cache.Scope;
import org.atrium.cache.ScopesChanged;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.UUID;

/**
 * Creates knowledge jobs in the scheduler's table, inside the caller's transaction: a job exists if and only if the
 * change that needs it committed.
 */
@Component
class IngestionJobs {

    /** Ingests one file into one embedding space; the instance id is {@code <file>:<space>:<generation>}. */
    static final TaskDescriptor<IngestJob> INGEST = TaskDescriptor.of("knowledge-ingest", IngestJob.class);

    /**
     * Re-resolves the embedding space of the collections a changed scope affects. One job per change (the instance id
     * is the scope and a random suffix): a job created by the change's transaction only starts after it commits, so
     * it always sees the change. Refreshing is idempotent; a redundant run only re-reads the settings.
     */
    static final TaskDescriptor<RefreshJob> REFRESH = TaskDescriptor.of("knowledge-refresh", RefreshJob.class);

    /**
     * Re-indexes the keywords of a collection's files after its language changed; the instance id is the collection
     * and a random suffix, for the same reason as {@link #REFRESH}.
     */
    static final TaskDescriptor<RelanguageJob> RELANGUAGE = TaskDescriptor.of("knowledge-relanguage",
            RelanguageJob.class);

    /**
     * @param collectionId the collection whose language changed
     */
    record RelanguageJob(UUID collectionId) {
    }

    /**
     * One file index to build.
     *
     * @param fileId     the file
     * @param spaceId    the embedding space
     * @param generation the index generation the job may write to
     */
    record IngestJob(UUID fileId, int spaceId, long generation) {

        String instanceId() {
            return fileId + ":" + spaceId + ":" + generation;
        }
    }

    /**
     * @param scope the key of the scope whose change may move collections to another embedding model
     */
    record RefreshJob(String scope) {
    }

    private final SchedulerClient scheduler;
    private final Clock clock;

    IngestionJobs(SchedulerClient scheduler, Clock clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    void schedule(UUID fileId, int spaceId, long generation) {
        IngestJob job = new IngestJob(fileId, spaceId, generation);
        scheduler.scheduleIfNotExists(INGEST.instance(job.instanceId()).data(job).scheduledTo(clock.instant()));
    }

    /** A collection's language changed: its files' keywords are indexed again, in the background. */
    void relanguage(UUID collectionId) {
        scheduler.scheduleIfNotExists(RELANGUAGE.instance(collectionId + "@" + UUID.randomUUID())
                .data(new RelanguageJob(collectionId)).scheduledTo(clock.instant()));
    }

    /** Settings, credentials or memberships changed: the affected collections may need another embedding model. */
    @EventListener
    void onScopesChanged(ScopesChanged changed) {
        changed.scopes().forEach(this::refresh);
    }

    void refresh(Scope scope) {
        // A unique id per change: any job sharing the id could already be running (or be picked before this
        // transaction commits) with the settings as they were, and would then swallow this change for good.
        scheduler.scheduleIfNotExists(REFRESH.instance(scope.key() + "@" + UUID.randomUUID())
                .data(new RefreshJob(scope.key())).scheduledTo(clock.instant()));
    }
}
