package org.atrium.storage.internal;

import org.atrium.storage.BlobInfo;
import org.atrium.storage.BlobStore;
import org.atrium.storage.StorageProperties;
import org.atrium.testing.S3ProxyServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract on a real S3-compatible server (S3Proxy), one fresh bucket per test. Objects live in the server's
 * memory, except for the 64 MB streaming test: there a second server keeps them on disk, so that its copy of the
 * upload does not sit in the heap the test measures. (The on-disk server is not used for the rest: on a failed
 * upload it leaves its temporary file, {@code <key>-<uuid>}, visible in listings, which real S3 never does.)
 */
class S3BlobStoreTest extends BlobStoreContractTest {

    private static final AtomicInteger buckets = new AtomicInteger();

    @TempDir
    static Path serverDirectory;

    private static S3ProxyServer server;
    private static S3ProxyServer diskServer;

    private final AtomicInteger listRequests = new AtomicInteger();
    private @Nullable S3BlobStore largeContentStore;

    @BeforeAll
    static void startServer() {
        server = new S3ProxyServer();
        diskServer = S3ProxyServer.onDisk(serverDirectory);
    }

    @AfterAll
    static void stopServer() {
        server.close();
        diskServer.close();
    }

    @AfterEach
    void closeLargeContentStore() {
        if (largeContentStore != null) {
            largeContentStore.close();
        }
    }

    @Override
    protected BlobStore createStore() throws IOException {
        S3BlobStore store = store(settings(server.endpoint(), "contract-" + buckets.incrementAndGet()));
        assertThat(store.createBucketIfMissing()).isTrue();
        return store;
    }

    @Override
    protected BlobStore createStoreForLargeContent() throws IOException {
        largeContentStore = store(settings(diskServer.endpoint(), "large-" + buckets.incrementAndGet()));
        largeContentStore.createBucketIfMissing();
        return largeContentStore;
    }

    private S3BlobStore store(StorageProperties.S3 settings) {
        ExecutionInterceptor countLists = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof ListObjectsV2Request) {
                    listRequests.incrementAndGet();
                }
            }
        };
        return new S3BlobStore(S3BlobStore.clientBuilder(settings)
                .overrideConfiguration(o -> o.addExecutionInterceptor(countLists)).build(),
                settings.bucket(), S3BlobStore.describe(settings), SMALL_PAGE_SIZE);
    }

    private static StorageProperties.S3 settings(URI endpoint, String bucket) {
        return new StorageProperties.S3(endpoint, "us-east-1", bucket, server.accessKey(), server.secretKey(),
                true, true);
    }

    @Test
    void listingFollowsContinuationTokensOnePageAtATime() throws Exception {
        for (int i = 0; i < 2 * SMALL_PAGE_SIZE + 5; i++) {
            store.put("paged/" + i, new ByteArrayInputStream(new byte[] {1}), 1);
        }
        listRequests.set(0);

        assertThat(store.list("paged/")).hasSize(2 * SMALL_PAGE_SIZE + 5);
        assertThat(listRequests).hasValue(3);
    }

    @Test
    void bucketIsCreatedOnlyWhenMissing() throws Exception {
        try (S3BlobStore other = store(settings(server.endpoint(), "created-" + buckets.incrementAndGet()))) {
            assertThat(other.createBucketIfMissing()).isTrue();
            assertThat(other.createBucketIfMissing()).isFalse();
            other.put("x", new ByteArrayInputStream(new byte[] {1}), 1);
            assertThat(other.list("")).extracting(BlobInfo::key).containsExactly("x");
        }
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void describeNamesTheEndpointAndBucketButNoCredentials() {
        String description = store.describe();

        assertThat(description).startsWith("s3:" + server.endpoint() + "/contract-");
        assertThat(description).doesNotContain(server.accessKey()).doesNotContain(server.secretKey());
        assertThat(S3BlobStore.describe(new StorageProperties.S3(URI.create("https://user:pw@minio.example:9000/"),
                "eu-west-1", "atrium", "AKIA", "hush", true, false)))
                .isEqualTo("s3:https://minio.example:9000/atrium");
        assertThat(S3BlobStore.describe(new StorageProperties.S3(null, "eu-west-1", "atrium", null, null, false,
                false))).isEqualTo("s3:aws:eu-west-1/atrium");
    }

    @Test
    void unreachableServerFailsWithIOException() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (S3BlobStore unreachable = store(settings(URI.create("http://127.0.0.1:" + closedPort), "gone"))) {
            assertThatThrownBy(() -> unreachable.exists("x")).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> unreachable.open("x")).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> unreachable.list("")).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> unreachable.put("x", new ByteArrayInputStream(new byte[] {1}), 1))
                    .isInstanceOf(IOException.class);
        }
    }
}
