package org.atrium.knowledge;

import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.atrium.cache.Scope;
import org.atrium.platform.LogEvents;
import org.atrium.providers.EmbeddingFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;

/**
 * The knowledge module's background jobs: ingestion (one per file index), refresh of collections' embedding spaces
 * after a settings change, and two recurring ones that db-scheduler runs once per period across the cluster: the
 * storage garbage collector and the reconciler.
 */
@Configuration(proxyBeanMethods = false)
class KnowledgeJobsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KnowledgeJobsConfiguration.class);

    @Bean
    Task<IngestionJobs.IngestJob> ingestTask(Ingestion ingestion, KnowledgeProperties properties, Clock clock) {
        return Tasks.oneTime(IngestionJobs.INGEST)
                .onFailure(new IngestFailureHandler(ingestion, properties, clock))
                .execute((instance, context) -> ingestion.run(instance.getData()));
    }

    @Bean
    Task<IngestionJobs.RefreshJob> refreshTask(CollectionSpaces spaces, PlatformTransactionManager transactions) {
        TransactionTemplate transaction = new TransactionTemplate(transactions);
        return Tasks.oneTime(IngestionJobs.REFRESH)
                .onFailureRetryLater()
                .execute((instance, context) -> {
                    Scope scope = new Scope(instance.getData().scope());
                    for (var collectionId : spaces.collectionsAffectedBy(scope)) {
                        transaction.executeWithoutResult(status -> spaces.refresh(collectionId));
                    }
                });
    }

    @Bean
    Task<IngestionJobs.RelanguageJob> relanguageTask(FileStore files) {
        return Tasks.oneTime(IngestionJobs.RELANGUAGE)
                .onFailureRetryLater()
                .execute((instance, context) -> files.relanguage(instance.getData().collectionId()));
    }

    @Bean
    Task<Void> storageGarbageTask(StorageGarbage garbage, KnowledgeProperties properties) {
        return Tasks.recurring("knowledge-storage-garbage", FixedDelay.of(properties.garbageInterval()))
                .execute((instance, context) -> garbage.drain());
    }

    @Bean
    Task<Void> reconcileTask(Reconciler reconciler, KnowledgeProperties properties) {
        return Tasks.recurring("knowledge-reconcile", FixedDelay.of(properties.reconcileInterval()))
                .execute((instance, context) -> reconciler.repair());
    }

    /**
     * Transient failures (provider 429/5xx and timeouts after the client's own retries, storage or database hiccups)
     * are tried again later with doubling waits, up to {@code atrium.knowledge.ingest-attempts}; anything else, and
     * the last attempt, marks the index failed with a readable reason.
     */
    private record IngestFailureHandler(Ingestion ingestion, KnowledgeProperties properties, Clock clock)
            implements FailureHandler<IngestionJobs.IngestJob> {

        @Override
        public void onFailure(ExecutionComplete complete, ExecutionOperations<IngestionJobs.IngestJob> operations) {
            @SuppressWarnings("unchecked")
            IngestionJobs.IngestJob job = (IngestionJobs.IngestJob) complete.getExecution().taskInstance.getData();
            Throwable cause = complete.getCause().orElse(null);
            int attempt = complete.getExecution().consecutiveFailures + 1;
            boolean permanent = cause instanceof Ingestion.PermanentFailure
                    || cause instanceof EmbeddingFailure failure && !failure.retryable();
            if (!permanent && attempt < properties.ingestAttempts()) {
                Duration wait = properties.ingestRetryBackoff().multipliedBy(1L << Math.min(attempt - 1, 10));
                ingestion.retrying(job, "Attempt " + attempt + " failed (" + describe(cause) + "); trying again in "
                        + wait.toSeconds() + " s.");
                operations.reschedule(complete, clock.instant().plus(wait));
                return;
            }
            String code = cause instanceof Ingestion.PermanentFailure failure ? failure.code()
                    : cause instanceof EmbeddingFailure ? "embedding_failed" : "ingestion_failed";
            ingestion.fail(job, code, describe(cause));
            operations.stop();
        }

        private static String describe(Throwable cause) {
            if (cause instanceof Ingestion.PermanentFailure || cause instanceof EmbeddingFailure) {
                return cause.getMessage();
            }
            LogEvents.error(log, "file.ingest.error").setCause(cause).log();
            return "An unexpected error stopped ingestion; an instance admin can find it in the logs.";
        }
    }
}
