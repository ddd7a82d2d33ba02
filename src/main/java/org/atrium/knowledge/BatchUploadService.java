package org.atrium.knowledge;

import org.atrium.accounts.Permission;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.InputStreamSource;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Several files uploaded into one collection in one request, each stored as a single upload would be, each with its
 * own outcome. What concerns the whole request (permission, access, the number of files, the metadata) is checked
 * once, before any file is stored.
 */
@Service
public class BatchUploadService {

    /** Most files one batch upload carries (each a multipart part; see {@code server.jetty.max-form-keys}). */
    public static final int MAX_FILES_PER_BATCH = 100;

    private static final Logger log = LoggerFactory.getLogger(BatchUploadService.class);

    private final FileService files;
    private final CollectionService collections;

    BatchUploadService(FileService files, CollectionService collections) {
        this.files = files;
        this.collections = collections;
    }

    /**
     * One file of a batch upload, as the client sent it.
     *
     * @param clientName   the part's file name
     * @param declaredType the part's Content-Type, or {@code null}
     * @param size         its size in bytes
     * @param content      its bytes
     */
    public record UploadPart(String clientName, @Nullable String declaredType, long size, InputStreamSource content) {
    }

    /**
     * What became of one file of a batch upload: stored (the file as listed in the collection) or refused (why).
     *
     * @param name    the file's display name
     * @param file    the file stored, or {@code null} when it was refused
     * @param refusal why it was refused, or {@code null} when it was stored
     */
    public record BatchItem(String name, @Nullable CollectionFile file, @Nullable AtriumException refusal) {
    }

    /**
     * Uploads several files into one collection, each exactly as {@link FileService#upload} would (its own
     * transaction, its own ingestion job), with the same metadata. A file refused (empty, of an unsupported type, a
     * bomb), colliding with a concurrent change, or not stored because storage or the database failed
     * ({@code 503 upload_failed}) is reported as its own item; the others are stored all the same.
     *
     * @param parts    1 to {@link #MAX_FILES_PER_BATCH} files, in the order they were sent
     * @param metadata key-value metadata stored with every file
     * @return one item per part, in the same order
     * @throws AtriumException for the whole request, before anything is stored: {@code collection_not_found} (404),
     *                         {@code forbidden} or {@code permission_denied} (403), {@code invalid_parameter} (400)
     *                         without a file, {@code too_many_files} (413), {@code validation_failed} (400) for
     *                         metadata beyond {@link FileMetadata}'s bounds
     */
    public List<BatchItem> uploadAll(EffectiveState state, UUID collectionId, List<UploadPart> parts,
                                     Map<String, String> metadata) {
        state.caller().require(Permission.UPLOAD_FILES);
        collections.requireAccess(state, collectionId, Access.WRITE);
        if (parts.isEmpty()) {
            throw AtriumException.badRequest("invalid_parameter", "Send the files as multipart parts named 'file'.");
        }
        if (parts.size() > MAX_FILES_PER_BATCH) {
            throw new AtriumException(HttpStatus.CONTENT_TOO_LARGE, "too_many_files", "The request has "
                    + parts.size() + " files; a batch carries at most " + MAX_FILES_PER_BATCH + ".");
        }
        Map<String, String> checked = FileMetadata.validate("metadata", metadata);
        List<BatchItem> items = new ArrayList<>(parts.size());
        for (UploadPart part : parts) {
            String name = FileService.displayName(part.clientName());
            try {
                items.add(new BatchItem(name, files.upload(state, collectionId, part.clientName(),
                        part.declaredType(), part.size(), part.content(), null, checked), null));
            } catch (AtriumException refused) {
                items.add(new BatchItem(name, null, refused));
            } catch (RuntimeException failure) {
                // Storage unreachable for this file: the others keep their own outcome, and this one says to retry.
                LogEvents.warn(log, "file.upload.failed").addKeyValue("collection_id", collectionId)
                        .addKeyValue("reason", failure.getClass().getSimpleName()).log();
                items.add(new BatchItem(name, null, new AtriumException(HttpStatus.SERVICE_UNAVAILABLE,
                        "upload_failed", "Storing this file failed; send it again.")));
            }
        }
        LogEvents.info(log, "file.batch.uploaded").addKeyValue("collection_id", collectionId)
                .addKeyValue("files", parts.size())
                .addKeyValue("stored", items.stream().filter(i -> i.file() != null).count()).log();
        return items;
    }
}
