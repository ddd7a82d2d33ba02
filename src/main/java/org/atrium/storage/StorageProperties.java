package org.atrium.storage;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where uploaded files' bytes are kept ({@code atrium.storage.*}). Each property can be given as an environment
 * variable in upper case with underscores ({@code atrium.storage.s3.bucket} is {@code ATRIUM_STORAGE_S3_BUCKET}).
 * Inconsistent settings fail startup with a message naming the variable to fix.
 *
 * @param type  {@code local} (the default: a directory on this machine, for a single node) or {@code s3} (an
 *              S3-compatible bucket, needed when several replicas serve the same files)
 * @param local settings of the local directory
 * @param s3    settings of the S3-compatible bucket
 */
@Validated
@ConfigurationProperties("atrium.storage")
public record StorageProperties(
        @DefaultValue("local") @NotNull Type type,
        @DefaultValue @Valid Local local,
        @DefaultValue @Valid S3 s3) {

    /** Refuses {@code s3} without a bucket, the one setting that has no sensible default. */
    public StorageProperties {
        if (type == Type.S3 && s3.bucket() == null) {
            throw new IllegalArgumentException("atrium.storage.s3.bucket (ATRIUM_STORAGE_S3_BUCKET) must be set "
                    + "when atrium.storage.type (ATRIUM_STORAGE_TYPE) is s3");
        }
    }

    /** Which kind of store holds the bytes. */
    public enum Type { LOCAL, S3 }

    /**
     * The local directory.
     *
     * @param directory where files are kept; unset means {@code <atrium.data-dir>/files}
     */
    public record Local(@Nullable Path directory) {

        /**
         * The directory to use.
         *
         * @param dataDir Atrium's data directory ({@code atrium.data-dir})
         * @return {@link #directory()} when set, {@code <dataDir>/files} otherwise
         */
        public Path directoryOrDefault(Path dataDir) {
            return directory != null ? directory : dataDir.resolve("files");
        }
    }

    /**
     * The S3-compatible bucket. Blank values count as unset, so that an empty environment variable means "use the
     * default".
     *
     * @param endpoint     base URL of the S3 API, such as {@code http://minio:9000}; unset means AWS for
     *                     {@link #region()}
     * @param region       signing region ({@code us-east-1})
     * @param bucket       the bucket; required when {@code type} is {@code s3}
     * @param accessKey    access key id; unset means the AWS default credentials chain (environment, profile,
     *                     container or instance role)
     * @param secretKey    secret access key; set together with {@code accessKey}
     * @param pathStyle    address the bucket as {@code endpoint/bucket} instead of {@code bucket.endpoint}
     *                     ({@code false}); most self-hosted S3 servers need {@code true}
     * @param createBucket create the bucket at startup when it is missing ({@code false}); handy for development
     *                     and tests
     */
    public record S3(
            @Nullable URI endpoint,
            @DefaultValue("us-east-1") @NotBlank String region,
            @Nullable String bucket,
            @Nullable String accessKey,
            @Nullable String secretKey,
            @DefaultValue("false") boolean pathStyle,
            @DefaultValue("false") boolean createBucket) {

        /** Normalizes blank values to unset and checks that the endpoint and the key pair are usable. */
        public S3 {
            endpoint = endpoint == null || endpoint.toString().isBlank() ? null : endpoint;
            bucket = blankToNull(bucket);
            accessKey = blankToNull(accessKey);
            secretKey = blankToNull(secretKey);
            if (endpoint != null && (endpoint.getHost() == null
                    || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())))) {
                throw new IllegalArgumentException("atrium.storage.s3.endpoint (ATRIUM_STORAGE_S3_ENDPOINT) must be "
                        + "an http or https URL such as http://minio:9000, not " + endpoint);
            }
            if ((accessKey == null) != (secretKey == null)) {
                throw new IllegalArgumentException("atrium.storage.s3.access-key (ATRIUM_STORAGE_S3_ACCESS_KEY) and "
                        + "atrium.storage.s3.secret-key (ATRIUM_STORAGE_S3_SECRET_KEY) must be set together, or "
                        + "neither to use the AWS default credentials chain");
            }
        }

        private static @Nullable String blankToNull(@Nullable String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }

        /** Like the generated one, but never shows the secret key, so that logging the settings is safe. */
        @Override
        public String toString() {
            return "S3[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", accessKey="
                    + accessKey + ", secretKey=" + (secretKey == null ? "null" : "(hidden)") + ", pathStyle="
                    + pathStyle + ", createBucket=" + createBucket + "]";
        }
    }
}
