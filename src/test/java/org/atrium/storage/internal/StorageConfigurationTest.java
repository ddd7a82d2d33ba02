package org.atrium.storage.internal;

import org.atrium.platform.AtriumProperties;
import org.atrium.storage.BlobInfo;
import org.atrium.storage.BlobStore;
import org.atrium.storage.StorageProperties;
import org.atrium.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which store the configuration builds for which settings, without starting Atrium. */
class StorageConfigurationTest {

    @TempDir
    Path dataDir;

    private BlobStore blobStore(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("atrium.data-dir", dataDir.toString());
        Binder binder = new Binder(new MapConfigurationPropertySource(all));
        return new StorageConfiguration().blobStore(
                binder.bindOrCreate("atrium.storage", StorageProperties.class),
                binder.bindOrCreate("atrium", AtriumProperties.class), "single-node");
    }

    @Test
    void byDefaultFilesAreKeptInTheDataDirectory() throws Exception {
        BlobStore store = blobStore(Map.of());

        assertThat(store).isInstanceOf(LocalBlobStore.class);
        assertThat(store.describe()).isEqualTo("local:" + dataDir.resolve("files").toAbsolutePath());
        assertThat(dataDir.resolve("files")).isDirectory();
    }

    @Test
    void anUnwritableLocalDirectoryFailsNamingTheVariables() throws Exception {
        Path file = dataDir.resolve("not-a-directory");
        Files.writeString(file, "x");

        assertThatThrownBy(() -> blobStore(Map.of("atrium.storage.local.directory", file.resolve("files").toString())))
                .hasMessageContaining("ATRIUM_STORAGE_LOCAL_DIRECTORY")
                .hasMessageContaining("ATRIUM_DATA_DIR");
    }

    @Test
    void s3WithCreateBucketCreatesTheBucketAndClosesWithTheStore() throws Exception {
        try (S3ProxyServer server = new S3ProxyServer()) {
            BlobStore store = blobStore(server.atriumProperties("configured", true));
            try {
                assertThat(store).isInstanceOf(S3BlobStore.class);
                store.put("x", new ByteArrayInputStream(new byte[] {1}), 1);
                assertThat(store.list("")).extracting(BlobInfo::key).containsExactly("x");
            } finally {
                ((AutoCloseable) store).close();
            }
        }
    }

    @Test
    void aBucketThatCannotBeCreatedFailsStartupNamingTheVariables() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> settings = Map.of(
                "atrium.storage.type", "s3",
                "atrium.storage.s3.endpoint", "http://127.0.0.1:" + closedPort,
                "atrium.storage.s3.bucket", "atrium",
                "atrium.storage.s3.access-key", "a",
                "atrium.storage.s3.secret-key", "s",
                "atrium.storage.s3.path-style", "true",
                "atrium.storage.s3.create-bucket", "true");

        assertThatThrownBy(() -> blobStore(settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ATRIUM_STORAGE_S3_ENDPOINT")
                .hasMessageContaining("ATRIUM_STORAGE_S3_BUCKET");
    }
}
