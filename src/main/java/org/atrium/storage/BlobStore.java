package org.atrium.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where stored files' bytes live: a local directory or an S3-compatible bucket, chosen by
 * {@code atrium.storage.type}. Implementations are thread-safe.
 *
 * <p>Keys are opaque strings chosen by callers, such as {@code files/3f2a.../blob}. A key is 1 to 1024 characters
 * from {@code [A-Za-z0-9/_.-]}, does not start or end with {@code /}, has no empty segment ({@code //}), no
 * {@code .} segment and no {@code ..} anywhere. Every method rejects other keys with an
 * {@link IllegalArgumentException} before touching storage, which is what keeps the local store inside its
 * directory. Keys are meant to be written once; in the local store a key cannot also be the "directory" of other
 * keys ({@code a} and {@code a/b} cannot both exist).
 */
public interface BlobStore {

    /**
     * Streams exactly {@code length} bytes of {@code content} to a new object under {@code key} and makes them
     * durable before returning (local: a temporary file in the same directory, fsync, atomic rename; S3: one
     * PutObject with the length known up front). The SHA-256 is computed while streaming; the content is never
     * held in memory as a whole. An object already under the key is replaced.
     *
     * <p>If {@code content} ends before {@code length} bytes or has more than {@code length} bytes, or anything
     * else fails, an {@link IOException} is thrown and no partial content is left: a key that was free stays free.
     * The upload is not retried, since {@code content} cannot be rewound; callers may retry with a fresh stream.
     *
     * @param key     where to store the bytes
     * @param content the bytes; read to its end plus one byte (to detect a longer stream), never closed here
     * @param length  how many bytes {@code content} holds, at least 0
     * @return the key, size and SHA-256 of what was stored
     * @throws IOException              if the content's length differs from {@code length} or storing fails
     * @throws IllegalArgumentException if the key is not valid or {@code length} is negative
     */
    StoredBlob put(String key, InputStream content, long length) throws IOException;

    /**
     * Opens the object under {@code key} for reading. The caller closes the stream; closing it before the end
     * abandons the rest of the transfer.
     *
     * @param key the object's key
     * @return the object's bytes
     * @throws BlobNotFoundException    if no object exists under the key
     * @throws IOException              if the store cannot be read
     * @throws IllegalArgumentException if the key is not valid
     */
    InputStream open(String key) throws IOException;

    /**
     * Deletes the object under {@code key}. Idempotent: deleting an absent key returns {@code false} and is not an
     * error. On S3 the result comes from a check made just before the delete, so two concurrent deletes of one key
     * may both return {@code true}.
     *
     * @param key the object's key
     * @return whether an object existed under the key
     * @throws IOException              if the store cannot be reached
     * @throws IllegalArgumentException if the key is not valid
     */
    boolean delete(String key) throws IOException;

    /**
     * Tells whether an object exists under {@code key}.
     *
     * @param key the object's key
     * @return {@code true} when the object exists
     * @throws IOException              if the store cannot be reached
     * @throws IllegalArgumentException if the key is not valid
     */
    boolean exists(String key) throws IOException;

    /**
     * Lists every object whose key starts with {@code prefix}, in key order, with size and last-modified time; for
     * the storage audit and the reconciler. Pages through S3 listings as needed. Names that are not valid keys (the
     * local store's temporary files, foreign objects in a shared bucket) are left out.
     *
     * @param prefix a plain string prefix, not necessarily ending with {@code /}; empty lists everything. It follows
     *               the key rules except that it may be empty and may end with {@code /}
     * @return the objects found, possibly none
     * @throws IOException              if the store cannot be read
     * @throws IllegalArgumentException if the prefix is not valid
     */
    List<BlobInfo> list(String prefix) throws IOException;

    /**
     * A short description for logs, without secrets, such as {@code local:/data/files} or
     * {@code s3:http://host:9000/bucket}.
     *
     * @return the description
     */
    String describe();
}
