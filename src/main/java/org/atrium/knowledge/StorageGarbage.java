package org.atrium.knowledge;

import org.atrium.platform.LogEvents;
import org.atrium.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.List;

/**
 * Deletes stored bytes listed in {@code storage_garbage}, the outbox filled in the same transaction that deleted their
 * file rows. A row leaves the outbox only after storage confirmed the delete, so bytes go even if the replica that
 * deleted the file died right after its commit.
 */
@Component
class StorageGarbage {

    private static final Logger log = LoggerFactory.getLogger(StorageGarbage.class);
    private static final int BATCH = 200;

    private final JdbcClient jdbc;
    private final BlobStore blobs;

    StorageGarbage(JdbcClient jdbc, BlobStore blobs) {
        this.jdbc = jdbc;
        this.blobs = blobs;
    }

    /**
     * Deletes what is queued, in batches, until the queue is empty or only failing keys are left.
     *
     * @return how many objects were deleted
     */
    int drain() {
        int deleted = 0;
        while (true) {
            List<String> keys = jdbc.sql("""
                            select storage_key from storage_garbage
                            where attempts = 0 or queued_at < now() - least(attempts, 10) * interval '10 seconds'
                            order by queued_at limit :batch""")
                    .param("batch", BATCH).query(String.class).list();
            int done = 0;
            for (String key : keys) {
                try {
                    blobs.delete(key);
                    jdbc.sql("delete from storage_garbage where storage_key = :key").param("key", key).update();
                    done++;
                } catch (IOException | RuntimeException failure) {
                    jdbc.sql("""
                                    update storage_garbage set attempts = attempts + 1, last_error = :error,
                                                               queued_at = now()
                                    where storage_key = :key""")
                            .param("error", failure.getClass().getSimpleName() + ": " + failure.getMessage())
                            .param("key", key).update();
                    LogEvents.warn(log, "storage.delete.failed").addKeyValue("storage_key", key)
                            .addKeyValue("reason", failure.getClass().getSimpleName()).log();
                }
            }
            deleted += done;
            if (keys.size() < BATCH || done == 0) {
                if (deleted > 0) {
                    LogEvents.info(log, "storage.garbage.drained").addKeyValue("deleted", deleted).log();
                }
                return deleted;
            }
        }
    }
}
