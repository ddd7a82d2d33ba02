package org.atrium.storage.internal;

import org.atrium.platform.AtriumProperties;
import org.atrium.platform.LogEvents;
import org.atrium.storage.BlobStore;
import org.atrium.storage.StorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Exposes the one {@link BlobStore} that {@code atrium.storage.type} asks for. Startup fails, naming the variable to
 * fix, when the local directory cannot be created or a bucket that should be created cannot be. The S3 store's
 * client is closed with the application context (Spring closes {@link AutoCloseable} beans).
 * {@link StorageProperties} is registered by the application's configuration properties scan.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    @Bean
    BlobStore blobStore(StorageProperties storage, AtriumProperties atrium,
                        @Value("${atrium.mode:single-node}") String mode) {
        BlobStore store = switch (storage.type()) {
            case LOCAL -> local(storage.local().directoryOrDefault(atrium.dataDir()));
            case S3 -> s3(storage.s3());
        };
        LogEvents.info(log, "storage.configured").addKeyValue("store", store.describe()).log();
        if (storage.type() == StorageProperties.Type.LOCAL && !"single-node".equals(mode)) {
            // Valid only when every replica mounts the same directory; a replica that cannot see another one's
            // uploads fails their ingestion with file_bytes_missing.
            LogEvents.warn(log, "storage.local_in_cluster").addKeyValue("store", store.describe())
                    .addKeyValue("advice", "mount one shared volume on every replica, or set ATRIUM_STORAGE_TYPE=s3")
                    .log();
        }
        return store;
    }

    private static LocalBlobStore local(Path directory) {
        try {
            return new LocalBlobStore(directory);
        } catch (IOException failure) {
            throw new UncheckedIOException("cannot create the storage directory " + directory.toAbsolutePath()
                    + "; set atrium.storage.local.directory (ATRIUM_STORAGE_LOCAL_DIRECTORY) or atrium.data-dir "
                    + "(ATRIUM_DATA_DIR) to a writable directory", failure);
        }
    }

    private static S3BlobStore s3(StorageProperties.S3 settings) {
        S3BlobStore store = S3BlobStore.create(settings);
        if (settings.createBucket()) {
            try {
                if (store.createBucketIfMissing()) {
                    LogEvents.info(log, "storage.bucket.created").addKeyValue("store", store.describe()).log();
                }
            } catch (IOException | RuntimeException failure) {
                store.close();
                throw new IllegalStateException("cannot create the bucket of " + store.describe() + " (check "
                        + "ATRIUM_STORAGE_S3_ENDPOINT, ATRIUM_STORAGE_S3_BUCKET and the credentials, or set "
                        + "ATRIUM_STORAGE_S3_CREATE_BUCKET=false and create it yourself): " + failure.getMessage(),
                        failure);
            }
        }
        return store;
    }
}
