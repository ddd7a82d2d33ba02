package org.atrium.knowledge;

import org.atrium.platform.AtriumException;
import org.springframework.core.io.InputStreamSource;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency keys of uploads ({@code upload_idempotency_keys}): per user, a key names the first upload sent with it
 * for {@link #WINDOW}. The same key with the same collection and the same bytes answers that upload's file; with
 * another collection or other bytes it is refused, since the client evidently meant something else.
 */
@Repository
class UploadIdempotency {

    /** How long a key is honoured after its first upload. */
    static final Duration WINDOW = Duration.ofHours(24);

    /** The longest key accepted. */
    static final int MAX_KEY_LENGTH = 255;

    /** The upload a key was first used for. */
    record Earlier(UUID collectionId, String sha256, UUID fileId) {
    }

    private final JdbcClient jdbc;

    UploadIdempotency(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Checks a key as the client sent it.
     *
     * @throws AtriumException {@code invalid_parameter} (400) unless it is 1 to 255 visible ASCII characters
     */
    static void validate(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw AtriumException.badRequest("invalid_parameter", "The Idempotency-Key header must be 1 to "
                    + MAX_KEY_LENGTH + " visible ASCII characters.");
        }
    }

    /** The live (unexpired) upload this user made with this key, if any. */
    Optional<Earlier> find(UUID userId, String key) {
        return jdbc.sql("""
                        select collection_id, sha256, file_id from upload_idempotency_keys
                        where user_id = :u and key = :k and created_at > now() - make_interval(secs => :window)""")
                .param("u", userId).param("k", key).param("window", (double) WINDOW.toSeconds())
                .query((rs, row) -> new Earlier(rs.getObject("collection_id", UUID.class), rs.getString("sha256"),
                        rs.getObject("file_id", UUID.class))).optional();
    }

    /**
     * Removes every expired key, whoever made it, so that no row outlives its window by more than a reconciler period
     * (a key names a file id and a content digest, which must not stay once the file is gone).
     *
     * @return how many keys went
     */
    int removeExpired() {
        return jdbc.sql("delete from upload_idempotency_keys"
                        + " where created_at <= now() - make_interval(secs => :window)")
                .param("window", (double) WINDOW.toSeconds()).update();
    }

    /**
     * Claims the key for a new file, in the upload's transaction. A concurrent upload with the same key waits here
     * until the first commits (primary key), then finds the first one's claim.
     *
     * @return empty when the claim is this upload's; otherwise the live earlier upload with the key
     */
    Optional<Earlier> claim(UUID userId, String key, UUID collectionId, String sha256, UUID fileId) {
        int claimed = jdbc.sql("""
                        insert into upload_idempotency_keys (user_id, key, collection_id, sha256, file_id)
                        values (:u, :k, :c, :sha, :f)
                        on conflict (user_id, key) do update
                        set collection_id = excluded.collection_id, sha256 = excluded.sha256,
                            file_id = excluded.file_id, created_at = now()
                        where upload_idempotency_keys.created_at <= now() - make_interval(secs => :window)""")
                .param("u", userId).param("k", key).param("c", collectionId).param("sha", sha256)
                .param("f", fileId).param("window", (double) WINDOW.toSeconds()).update();
        return claimed > 0 ? Optional.empty() : find(userId, key);
    }

    /**
     * The earlier upload's file, when a repeated request is the same upload.
     *
     * @throws AtriumException {@code idempotency_key_reused} (409) when the key was used for another collection or
     *                         other bytes
     */
    static UUID sameUpload(Earlier earlier, UUID collectionId, String sha256) {
        if (!earlier.collectionId().equals(collectionId) || !earlier.sha256().equals(sha256)) {
            throw new AtriumException(HttpStatus.CONFLICT, "idempotency_key_reused", "This Idempotency-Key was "
                    + "used in the last " + WINDOW.toHours() + " hours for an upload of other content or into "
                    + "another collection; use a new key for a new upload.");
        }
        return earlier.fileId();
    }

    /** SHA-256 of the upload's bytes, lower-case hexadecimal, as storage computes it. */
    static String sha256(InputStreamSource content) {
        try (InputStream in = new DigestInputStream(content.getInputStream(), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException unreadable) {
            throw new UncheckedIOException("Reading the upload failed", unreadable);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

}
