package org.atrium.storage.internal;

import org.atrium.platform.AbortOnEarlyClose;
import org.atrium.storage.BlobInfo;
import org.atrium.storage.BlobNotFoundException;
import org.atrium.storage.BlobStore;
import org.atrium.storage.StorageProperties;
import org.atrium.storage.StoredBlob;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps each object in an S3-compatible bucket under its key. A put is a single PutObject with the length declared
 * up front, streamed from the caller (S3 makes an object visible only once all of it has arrived, so a failed put
 * leaves nothing); this caps objects at S3's 5 GB single-request limit. SDK failures become {@link IOException}s.
 * Closing the store closes its client.
 */
final class S3BlobStore implements BlobStore, AutoCloseable {

    /** S3's own maximum page size for listings. */
    static final int DEFAULT_PAGE_SIZE = 1000;

    private final S3Client client;
    private final String bucket;
    private final String description;
    private final int pageSize;

    /**
     * @param client      the client, owned (closed) by this store from now on
     * @param bucket      the bucket holding the objects
     * @param description what {@link #describe()} returns
     * @param pageSize    how many keys to ask for per listing request, 1 to 1000
     */
    S3BlobStore(S3Client client, String bucket, String description, int pageSize) {
        if (pageSize < 1 || pageSize > DEFAULT_PAGE_SIZE) {
            throw new IllegalArgumentException("page size must be 1 to 1000: " + pageSize);
        }
        this.client = client;
        this.bucket = bucket;
        this.description = description;
        this.pageSize = pageSize;
    }

    /**
     * Builds the store the settings describe.
     *
     * @param settings the bucket settings, with a bucket
     * @return the store
     */
    static S3BlobStore create(StorageProperties.S3 settings) {
        return new S3BlobStore(clientBuilder(settings).build(), requireBucket(settings), describe(settings),
                DEFAULT_PAGE_SIZE);
    }

    /**
     * A client builder configured from the settings, for {@link #create} and for tests that add interceptors.
     *
     * @param settings the bucket settings
     * @return the builder
     */
    static S3ClientBuilder clientBuilder(StorageProperties.S3 settings) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                // The SDK's default CRC checksums on every request are refused by several S3-compatible servers
                // (S3Proxy among them); AWS itself only needs them where an operation requires one.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        if (settings.accessKey() != null && settings.secretKey() != null) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
        }
        return builder;
    }

    /**
     * Describes the bucket for logs: the endpoint without any user info, and the bucket.
     *
     * @param settings the bucket settings
     * @return for example {@code s3:http://minio:9000/atrium} or {@code s3:aws:eu-west-1/atrium}
     */
    static String describe(StorageProperties.S3 settings) {
        URI endpoint = settings.endpoint();
        if (endpoint == null) {
            return "s3:aws:" + settings.region() + "/" + settings.bucket();
        }
        String port = endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort();
        String path = endpoint.getPath() == null ? "" : endpoint.getPath().replaceAll("/+$", "");
        return "s3:" + endpoint.getScheme() + "://" + endpoint.getHost() + port + path + "/" + settings.bucket();
    }

    private static String requireBucket(StorageProperties.S3 settings) {
        String bucket = settings.bucket();
        if (bucket == null) {
            throw new IllegalArgumentException("atrium.storage.s3.bucket (ATRIUM_STORAGE_S3_BUCKET) must be set");
        }
        return bucket;
    }

    /**
     * Creates the bucket unless it exists already (also when another replica creates it at the same moment).
     *
     * @return whether this call created it
     * @throws IOException if the bucket can be neither found nor created
     */
    boolean createBucketIfMissing() throws IOException {
        try {
            client.headBucket(request -> request.bucket(bucket));
            return false;
        } catch (NoSuchBucketException missing) {
            // created below
        } catch (S3Exception failure) {
            if (failure.statusCode() != 404) {
                throw new IOException("cannot check bucket " + bucket + ": " + failure.getMessage(), failure);
            }
        } catch (SdkException failure) {
            throw new IOException("cannot check bucket " + bucket + ": " + failure.getMessage(), failure);
        }
        Region region = client.serviceClientConfiguration().region();
        try {
            // us-east-1 is the one region where S3 refuses an explicit location constraint.
            client.createBucket(request -> {
                request.bucket(bucket);
                if (region != null && !Region.US_EAST_1.equals(region)) {
                    request.createBucketConfiguration(c -> c.locationConstraint(region.id()));
                }
            });
            return true;
        } catch (BucketAlreadyOwnedByYouException raced) {
            return false;
        } catch (SdkException failure) {
            throw new IOException("cannot create bucket " + bucket + ": " + failure.getMessage(), failure);
        }
    }

    @Override
    public StoredBlob put(String key, InputStream content, long length) throws IOException {
        BlobKeys.requireValidKey(key);
        ExactLengthInputStream exact = new ExactLengthInputStream(content, length);
        if (length == 0) {
            // The SDK reads nothing for an empty body; this read confirms the caller's stream is empty (or throws).
            exact.read();
        }
        // The caller's stream cannot be rewound. The SDK may retry an attempt that failed before any byte was
        // read (a refused connection); a retry after that would send the wrong bytes, so it is refused and the
        // caller retries with a fresh stream.
        AtomicBoolean handedOut = new AtomicBoolean();
        ContentStreamProvider once = () -> {
            if (handedOut.getAndSet(true) && (exact.count() > 0 || exact.failure() != null)) {
                throw new IllegalStateException("the content of " + key + " cannot be sent again");
            }
            return exact;
        };
        try {
            client.putObject(request -> request.bucket(bucket).key(key).contentLength(length),
                    RequestBody.fromContentProvider(once, length, "application/octet-stream"));
        } catch (SdkException | IllegalStateException failure) {
            IOException cause = exact.failure();
            if (cause != null) {
                // The content's own problem (wrong length, failed read) says more than the SDK's wrapper.
                cause.addSuppressed(failure);
                throw cause;
            }
            throw new IOException("cannot store " + key + " in bucket " + bucket + ": " + failure.getMessage(),
                    failure);
        }
        if (!exact.isComplete()) {
            // Cannot happen with a declared content length; if it ever did, the object must not stay.
            deleteQuietly(key);
            throw new IOException("the upload of " + key + " ended after " + exact.count() + " of " + length
                    + " bytes");
        }
        return new StoredBlob(key, length, exact.sha256Hex());
    }

    private void deleteQuietly(String key) {
        try {
            client.deleteObject(request -> request.bucket(bucket).key(key));
        } catch (SdkException ignored) {
            // The reconciler removes objects nothing refers to.
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        BlobKeys.requireValidKey(key);
        try {
            ResponseInputStream<GetObjectResponse> body = client.getObject(request -> request.bucket(bucket).key(key));
            return new AbortOnEarlyClose(body, body::abort);
        } catch (NoSuchKeyException absent) {
            throw new BlobNotFoundException(key);
        } catch (S3Exception failure) {
            if (failure.statusCode() == 404) {
                throw new BlobNotFoundException(key);
            }
            throw new IOException("cannot read " + key + " from bucket " + bucket + ": " + failure.getMessage(),
                    failure);
        } catch (SdkException failure) {
            throw new IOException("cannot read " + key + " from bucket " + bucket + ": " + failure.getMessage(),
                    failure);
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        boolean existed = exists(key);
        try {
            // Deleting even when the check found nothing: a concurrent put may have just created the object.
            client.deleteObject(request -> request.bucket(bucket).key(key));
        } catch (SdkException failure) {
            throw new IOException("cannot delete " + key + " from bucket " + bucket + ": " + failure.getMessage(),
                    failure);
        }
        return existed;
    }

    @Override
    public boolean exists(String key) throws IOException {
        BlobKeys.requireValidKey(key);
        try {
            client.headObject(request -> request.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException absent) {
            return false;
        } catch (S3Exception failure) {
            if (failure.statusCode() == 404) {
                return false;
            }
            throw new IOException("cannot check " + key + " in bucket " + bucket + ": " + failure.getMessage(),
                    failure);
        } catch (SdkException failure) {
            throw new IOException("cannot check " + key + " in bucket " + bucket + ": " + failure.getMessage(),
                    failure);
        }
    }

    @Override
    public List<BlobInfo> list(String prefix) throws IOException {
        BlobKeys.requireValidPrefix(prefix);
        List<BlobInfo> found = new ArrayList<>();
        try {
            // The paginator follows continuation tokens lazily, one request per page, while we iterate.
            for (S3Object object : client.listObjectsV2Paginator(request -> request.bucket(bucket)
                    .prefix(prefix).maxKeys(pageSize)).contents()) {
                if (BlobKeys.isValidKey(object.key())) {
                    found.add(new BlobInfo(object.key(), object.size(), object.lastModified()));
                }
            }
        } catch (SdkException failure) {
            throw new IOException("cannot list \"" + prefix + "\" in bucket " + bucket + ": " + failure.getMessage(),
                    failure);
        }
        return found;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        client.close();
    }
}
