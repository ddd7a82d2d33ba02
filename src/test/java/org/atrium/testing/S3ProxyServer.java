package org.atrium.testing;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A real S3-compatible server (S3Proxy) in this JVM on a free loopback port, for storage tests and for booting
 * Atrium with {@code atrium.storage.type=s3}. Requests must be signed (V2 or V4) with {@link #accessKey()} and
 * {@link #secretKey()}; buckets are addressed path-style. By default objects live in memory ({@link #S3ProxyServer()});
 * {@link #onDisk(Path)} keeps them in a directory instead, for tests whose payloads should not sit in the heap.
 * Close it to stop the server and drop its objects.
 */
public final class S3ProxyServer implements AutoCloseable {

    private static final String ACCESS_KEY = "access";
    private static final String SECRET_KEY = "secret";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final URI endpoint;

    /** Starts a server that keeps objects in memory. */
    public S3ProxyServer() {
        this(ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class));
    }

    /**
     * Starts a server that keeps objects in memory; the same as the constructor, for code that reads better so.
     *
     * @return the running server
     */
    public static S3ProxyServer start() {
        return new S3ProxyServer();
    }

    /**
     * Starts a server that keeps objects as files under {@code directory}.
     *
     * @param directory an existing directory, owned by the server until it is closed
     * @return the running server
     */
    public static S3ProxyServer onDisk(Path directory) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        return new S3ProxyServer(ContextBuilder.newBuilder("filesystem").credentials("identity", "credential")
                .overrides(properties).build(BlobStoreContext.class));
    }

    private S3ProxyServer(BlobStoreContext context) {
        this.context = context;
        this.proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start within " + STARTUP_TIMEOUT
                            + "; state " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception failure) {
            closeQuietly(failure);
            if (failure instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw failure instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("cannot start S3Proxy", failure);
        }
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /**
     * @return the server's base URL, such as {@code http://127.0.0.1:41234}
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * @return the access key requests must be signed with
     */
    public String accessKey() {
        return ACCESS_KEY;
    }

    /**
     * @return the secret key requests must be signed with
     */
    public String secretKey() {
        return SECRET_KEY;
    }

    /**
     * Creates a bucket directly in the backing store (no S3 request); does nothing if it exists.
     *
     * @param name the bucket name
     */
    public void createBucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
    }

    /**
     * The {@code atrium.storage.*} properties that point Atrium at this server, for system properties or
     * {@code @SpringBootTest(properties = ...)}.
     *
     * @param bucket       the bucket Atrium should use
     * @param createBucket whether Atrium should create it at startup
     * @return property name to value, in a stable order
     */
    public Map<String, String> atriumProperties(String bucket, boolean createBucket) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("atrium.storage.type", "s3");
        properties.put("atrium.storage.s3.endpoint", endpoint.toString());
        properties.put("atrium.storage.s3.bucket", bucket);
        properties.put("atrium.storage.s3.access-key", ACCESS_KEY);
        properties.put("atrium.storage.s3.secret-key", SECRET_KEY);
        properties.put("atrium.storage.s3.path-style", "true");
        properties.put("atrium.storage.s3.create-bucket", Boolean.toString(createBucket));
        return properties;
    }

    /**
     * The same settings as {@link #atriumProperties} as environment variables, for an Atrium child process.
     *
     * @param bucket       the bucket Atrium should use
     * @param createBucket whether Atrium should create it at startup
     * @return variable name to value, in a stable order
     */
    public Map<String, String> atriumEnvironment(String bucket, boolean createBucket) {
        Map<String, String> environment = new LinkedHashMap<>();
        atriumProperties(bucket, createBucket).forEach((name, value) ->
                environment.put(name.toUpperCase().replace('.', '_').replace('-', '_'), value));
        return environment;
    }

    @Override
    public void close() {
        closeQuietly(null);
    }

    private void closeQuietly(@Nullable Exception failure) {
        try {
            proxy.stop();
        } catch (Exception stopFailure) {
            if (failure != null) {
                failure.addSuppressed(stopFailure);
            } else {
                throw new IllegalStateException("cannot stop S3Proxy", stopFailure);
            }
        } finally {
            context.close();
        }
    }
}
