package org.atrium.knowledge;

import org.atrium.platform.LogEvents;
import org.atrium.storage.BlobInfo;
import org.atrium.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Compares the stores directly (file rows, chunks and vectors, objects in storage, queued jobs) to find what should
 * not be there, and repairs it. The audit is the evidence that deletion leaves nothing behind; the periodic repair is a
 * safety net behind the mechanisms that should already have left nothing (one transaction for rows and vectors, the
 * storage outbox, jobs created and cancelled with their rows).
 */
@Component
class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    /** Where uploaded files' bytes live in storage. */
    static final String FILES_PREFIX = "files/";

    private static final String JOB_WITHOUT_INDEX = """
            from scheduled_tasks t where t.task_name = 'knowledge-ingest'
              and not exists (select 1 from file_indexes fi
                              where fi.file_id = split_part(t.task_instance, ':', 1)::uuid
                                and fi.space_id = split_part(t.task_instance, ':', 2)::integer
                                and fi.generation = split_part(t.task_instance, ':', 3)::bigint)""";
    private static final String INDEX_NOT_SEARCHED = "from file_indexes fi where " + CollectionSpaces.NOT_SEARCHED;


    /**
     * Orphan counts per store; every count is zero when nothing was left behind.
     *
     * @param counts name to count, in a stable order
     */
    record Report(Map<String, Long> counts) {

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final JdbcClient jdbc;
    private final BlobStore blobs;
    private final CollectionSpaces spaces;
    private final IngestionJobs jobs;
    private final UploadIdempotency idempotency;
    private final KnowledgeProperties properties;
    private final TransactionTemplate transactions;
    private final Clock clock;

    Reconciler(JdbcClient jdbc, BlobStore blobs, CollectionSpaces spaces, IngestionJobs jobs,
               UploadIdempotency idempotency, KnowledgeProperties properties,
               PlatformTransactionManager transactionManager, Clock clock) {
        this.idempotency = idempotency;
        this.jdbc = jdbc;
        this.blobs = blobs;
        this.spaces = spaces;
        this.jobs = jobs;
        this.properties = properties;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
    }

    /** Counts orphans in every store without changing anything. */
    Report audit() {
        Set<String> rows = new HashSet<>(jdbc.sql("select storage_key from files").query(String.class).list());
        Set<String> stored = new HashSet<>(stored().stream().map(BlobInfo::key).toList());
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("rows_without_bytes", rows.stream().filter(key -> !stored.contains(key)).count());
        counts.put("bytes_without_rows", stored.stream().filter(key -> !rows.contains(key)).count());
        counts.put("vectors_without_files", count("""
                from chunks c where not exists (select 1 from file_indexes fi join files f on f.id = fi.file_id
                                                where fi.file_id = c.file_id and fi.space_id = c.space_id)"""));
        counts.put("vectors_not_searched", count("from chunks c where (c.file_id, c.space_id) in (select fi.file_id,"
                + " fi.space_id " + INDEX_NOT_SEARCHED + ")"));
        counts.put("files_without_collections",
                count("from files f where not exists (select 1 from collection_files cf where cf.file_id = f.id)"));
        counts.put("jobs_for_deleted_files", count(JOB_WITHOUT_INDEX));
        return new Report(counts);
    }

    /** Repairs what the audit would find, as far as it can be repaired, and logs what it did. */
    void repair() {
        Map<String, Integer> repaired = new LinkedHashMap<>();
        repaired.put("jobs_cancelled", jdbc.sql("delete " + JOB_WITHOUT_INDEX + " and not t.picked").update());
        repaired.put("files_deleted", jdbc.sql(
                "delete from files f where not exists (select 1 from collection_files cf where cf.file_id = f.id)")
                .update());
        repaired.put("indexes_queued", alignIndexes());
        repaired.put("collections_switched", (int) jdbc.sql(
                        "select id from collections where serving_space_id is distinct from space_id order by id")
                .query(UUID.class).list().stream()
                .filter(id -> Boolean.TRUE.equals(transactions.execute(status -> spaces.promoteIfSettled(id))))
                .count());
        repaired.put("indexes_deleted", jdbc.sql("delete " + INDEX_NOT_SEARCHED).update());
        repaired.put("jobs_requeued", requeueLostJobs());
        repaired.put("bytes_queued", queueUnreferencedBytes());
        if (repaired.values().stream().anyMatch(n -> n > 0)) {
            var event = LogEvents.warn(log, "knowledge.reconcile.repaired");
            repaired.forEach(event::addKeyValue);
            event.log();
        }
        // Routine, not a repair: keys past their window.
        int expired = idempotency.removeExpired();
        if (expired > 0) {
            LogEvents.info(log, "upload.idempotency.expired").addKeyValue("keys", expired).log();
        }
    }

    /**
     * Re-resolves every collection's embedding target (a settings change whose refresh job was lost, or a setting
     * that depends on a membership), then gives an index to each file that lacks one in its collection's space, and
     * retries failed ones whose cause may be fixed.
     */
    private int alignIndexes() {
        int queued = 0;
        for (UUID collectionId : jdbc.sql("select id from collections order by id").query(UUID.class).list()) {
            Integer aligned = transactions.execute(status -> spaces.refreshTarget(collectionId)
                    .map(target -> spaces.alignFiles(collectionId, target)).orElse(0));
            queued += aligned == null ? 0 : aligned;
        }
        return queued;
    }

    /** Indexes still in progress whose job is gone (it cannot be, but this is the net): schedule it again. */
    private int requeueLostJobs() {
        record Lost(UUID fileId, int spaceId, long generation) {
        }
        List<Lost> lost = jdbc.sql("""
                        select fi.file_id, fi.space_id, fi.generation from file_indexes fi
                        where fi.status in ('queued', 'extracting', 'embedding')
                          and not exists (select 1 from scheduled_tasks t where t.task_name = 'knowledge-ingest'
                                          and t.task_instance = fi.file_id || ':' || fi.space_id || ':'
                                                                || fi.generation)""")
                .query((rs, row) -> new Lost(rs.getObject("file_id", UUID.class), rs.getInt("space_id"),
                        rs.getLong("generation"))).list();
        lost.forEach(job -> transactions.executeWithoutResult(status ->
                jobs.schedule(job.fileId(), job.spaceId(), job.generation())));
        return lost.size();
    }

    /** Objects no file row names, older than the grace period (younger ones may be uploads in progress). */
    private int queueUnreferencedBytes() {
        Set<String> rows = new HashSet<>(jdbc.sql("select storage_key from files").query(String.class).list());
        Instant cutoff = clock.instant().minus(properties.orphanGrace());
        int queued = 0;
        for (BlobInfo blob : stored()) {
            if (!rows.contains(blob.key()) && blob.lastModified().isBefore(cutoff)) {
                queued += jdbc.sql("insert into storage_garbage (storage_key) values (:key) on conflict do nothing")
                        .param("key", blob.key()).update();
            }
        }
        return queued;
    }

    private List<BlobInfo> stored() {
        try {
            return blobs.list(FILES_PREFIX);
        } catch (IOException unreachable) {
            throw new UncheckedIOException("Listing storage failed", unreachable);
        }
    }

    private long count(String from) {
        return jdbc.sql("select count(*) " + from).query(Long.class).single();
    }
}
