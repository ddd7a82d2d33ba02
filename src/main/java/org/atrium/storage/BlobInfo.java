package org.atrium.storage;

import java.time.Instant;

/**
 * One object found by {@link BlobStore#list}.
 *
 * @param key          the object's key
 * @param size         its size in bytes
 * @param lastModified when it was last written, as the store reports it (S3 keeps whole seconds)
 */
public record BlobInfo(String key, long size, Instant lastModified) {
}
