package org.atrium.storage;

/**
 * What {@link BlobStore#put} stored.
 *
 * @param key       the key the bytes are stored under
 * @param size      how many bytes were stored
 * @param sha256Hex SHA-256 of the stored bytes, lower-case hexadecimal, computed while they were streamed
 */
public record StoredBlob(String key, long size, String sha256Hex) {
}
