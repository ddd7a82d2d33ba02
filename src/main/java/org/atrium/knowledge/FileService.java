package org.atrium.knowledge;

import org.atrium.accounts.Caller;
import org.atrium.accounts.Permission;
import org.atrium.knowledge.extraction.ExtractionException;
import org.atrium.knowledge.extraction.TextExtractor;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Page;
import org.atrium.platform.TransactionRetry;
import org.atrium.settings.EffectiveState;
import org.atrium.storage.BlobStore;
import org.atrium.storage.StoredBlob;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.InputStreamSource;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Files in collections: upload, add, list, read, download, remove and delete. A file is stored once and can be in
 * several collections; it exists while a collection holds it. Reading a file needs read access to a collection that
 * holds it (or having uploaded it); adding it to a collection needs that and write access to the target collection.
 * Ingestion runs in background jobs created in the same transaction as the rows.
 */
@Service
public class FileService {

    private static final Logger log = LoggerFactory.getLogger(FileService.class);
    private static final int MAX_NAME_LENGTH = 255;
    private static final int NAMED_AT_ONCE = 1_000;

    /** The status filters of a file listing and the ingestion statuses each one stands for. */
    private static final Map<String, String[]> STATUS_FILTERS = Map.of("queued", new String[] {"queued"},
            "running", new String[] {"extracting", "embedding"}, "ready", new String[] {"ready"},
            "failed", new String[] {"failed"});

    private final CollectionService collections;
    private final CollectionSpaces spaces;
    private final FileStore files;
    private final BlobStore blobs;
    private final TextExtractor extractor;
    private final KnowledgeProperties properties;
    private final TransactionTemplate transactions;
    private final TransactionRetry retry;
    private final UploadIdempotency idempotency;
    private final boolean haltAfterDeleteCommit;

    FileService(CollectionService collections, CollectionSpaces spaces, FileStore files, BlobStore blobs,
                TextExtractor extractor, KnowledgeProperties properties, PlatformTransactionManager transactions,
                TransactionRetry retry, UploadIdempotency idempotency,
                @Value("${atrium.testing.halt-after:}") String haltAfter) {
        this.retry = retry;
        this.idempotency = idempotency;
        // Fault injection for the multi-replica tests: die like a SIGKILL between the commit of a delete and the
        // storage cleanup, to prove the outbox removes the bytes anyway. Empty (off) in production.
        this.haltAfterDeleteCommit = "file-delete-commit".equals(haltAfter);
        this.collections = collections;
        this.spaces = spaces;
        this.files = files;
        this.blobs = blobs;
        this.extractor = extractor;
        this.properties = properties;
        this.transactions = new TransactionTemplate(transactions);
    }

    /**
     * Stores an uploaded file, adds it to the collection and queues its ingestion. Returns once the bytes are durably
     * stored and the rows committed; ingestion runs in the background. With an idempotency key, repeating the same
     * upload (same collection, same bytes) within {@link UploadIdempotency#WINDOW} answers the file stored the first
     * time, and concurrent repeats store it once.
     *
     * @param state          the caller's effective state; needs {@code uploadFiles} and write access
     * @param collectionId   the collection
     * @param clientName     the name the client gave the file, kept for display; its extension and
     *                       {@code declaredType} count only when the content is text ({@link TextExtractor#detect(
     *                       InputStream, String, String)})
     * @param declaredType   the Content-Type the client gave the file, or {@code null}
     * @param size           its size in bytes
     * @param content        its bytes, which may be read more than once
     * @param idempotencyKey the client's key for this upload, or {@code null}
     * @param metadata       key-value metadata stored with the file (a repeat keeps the first upload's)
     * @return the file as listed in the collection, usually {@code queued}
     * @throws AtriumException {@code collection_not_found} or {@code file_not_found} (404), {@code forbidden} or
     *                         {@code permission_denied} (403), {@code file_empty} or {@code invalid_parameter} (400),
     *                         {@code file_too_large} (413), {@code unsupported_file_type} (415),
     *                         {@code idempotency_key_reused} or {@code conflict} (409), {@code invalid_credentials}
     *                         (401) when the caller's account was deleted meanwhile, {@code validation_failed} (400)
     *                         for metadata beyond {@link FileMetadata}'s bounds
     */
    public CollectionFile upload(EffectiveState state, UUID collectionId, String clientName,
                                 @Nullable String declaredType, long size, InputStreamSource content,
                                 @Nullable String idempotencyKey, Map<String, String> metadata) {
        Caller caller = state.caller();
        caller.require(Permission.UPLOAD_FILES);
        collections.requireAccess(state, collectionId, Access.WRITE);
        Map<String, String> checked = FileMetadata.validate("metadata", metadata);
        if (size <= 0) {
            throw new AtriumException(HttpStatus.BAD_REQUEST, "file_empty", "The file is empty.");
        }
        if (size > properties.maxFileSize().toBytes()) {
            throw new AtriumException(HttpStatus.PAYLOAD_TOO_LARGE, "file_too_large", "The file has " + size
                    + " bytes; this instance accepts at most " + properties.maxFileSize().toBytes() + ".");
        }
        if (idempotencyKey != null) {
            UploadIdempotency.validate(idempotencyKey);
            Optional<UploadIdempotency.Earlier> earlier = idempotency.find(caller.userId(), idempotencyKey);
            if (earlier.isPresent()) {
                // A repeat: answered without storing the bytes again.
                return inCollection(collectionId, UploadIdempotency.sameUpload(earlier.get(), collectionId,
                        UploadIdempotency.sha256(content)));
            }
        }
        String mediaType = detect(content, clientName, declaredType);
        UUID fileId = UUID.randomUUID();
        String key = Reconciler.FILES_PREFIX + fileId;
        StoredBlob stored;
        try (InputStream in = content.getInputStream()) {
            stored = blobs.put(key, in, size);
        } catch (IOException failure) {
            throw new UncheckedIOException("Storing the upload failed", failure);
        }
        UUID answered;
        try {
            // Lock order (docs/ARCHITECTURE.md): caller's account, collection, then the new file and its link.
            answered = retry.execute("file.upload", () -> {
                collections.lockCaller(caller);
                collections.requireAccess(state, collectionId, Access.WRITE);
                EmbeddingTargets.Target target = lockAndResolve(collectionId);
                if (idempotencyKey != null) {
                    Optional<UploadIdempotency.Earlier> earlier = idempotency.claim(caller.userId(), idempotencyKey,
                            collectionId, stored.sha256Hex(), fileId);
                    if (earlier.isPresent()) {
                        return UploadIdempotency.sameUpload(earlier.get(), collectionId, stored.sha256Hex());
                    }
                }
                files.insertFile(fileId, displayName(clientName), mediaType, stored.size(), stored.sha256Hex(), key,
                        caller.userId(), checked);
                files.link(collectionId, fileId, caller.userId());
                spaces.ensureIndex(fileId, target);
                return fileId;
            });
        } catch (RuntimeException failure) {
            // The rows did not commit: the bytes are nobody's. If this delete fails too, the reconciler removes them.
            if (files.find(fileId).isEmpty()) {
                deleteQuietly(key);
            }
            throw failure;
        }
        if (!answered.equals(fileId)) {
            // A concurrent repeat with the same key stored the file first: these bytes are a copy nobody refers to.
            deleteQuietly(key);
            return inCollection(collectionId, answered);
        }
        LogEvents.info(log, "file.uploaded").addKeyValue("file_id", fileId).addKeyValue("collection_id", collectionId)
                .addKeyValue("media_type", mediaType).addKeyValue("size_bytes", stored.size()).log();
        return inCollection(collectionId, fileId);
    }

    /**
     * Stores an uploaded file in none of the caller's collections, as Open WebUI's {@code POST /api/v1/files/} does:
     * it is held by the caller's uploads collection (hidden from collection listings) until it is deleted, is
     * ingested there like any upload, and can be added to collections later ({@link #add}). Everything else is as
     * for {@link #upload}.
     *
     * @return the stored file, usually {@code queued}
     * @throws AtriumException as {@link #upload}, but never {@code collection_not_found}
     */
    public KnowledgeFile uploadUnfiled(EffectiveState state, String clientName, @Nullable String declaredType,
                                       long size, InputStreamSource content, Map<String, String> metadata) {
        state.caller().require(Permission.UPLOAD_FILES);
        CollectionFile stored = upload(state, collections.uploads(state), clientName, declaredType, size, content,
                null, metadata);
        return get(state, stored.fileId());
    }

    /**
     * Replaces a file's metadata. Only its uploader or an instance admin may, as for {@link #delete}.
     *
     * @return the file after the change
     * @throws AtriumException {@code file_not_found} (404) when there is no such file or the caller may not read it,
     *                         {@code forbidden} (403) when they may read it but did not upload it,
     *                         {@code validation_failed} (400) for metadata beyond {@link FileMetadata}'s bounds,
     *                         {@code conflict} (409)
     */
    public KnowledgeFile replaceMetadata(EffectiveState state, UUID fileId, Map<String, String> metadata) {
        Map<String, String> checked = FileMetadata.validate("metadata", metadata);
        Caller caller = state.caller();
        // Lock order (docs/ARCHITECTURE.md): caller's account, then the file.
        return retry.execute("file.metadata", () -> {
            collections.lockCaller(caller);
            FileStore.FileRow row = files.lockForUpdate(fileId).orElseThrow(FileService::notFound);
            if (!caller.isAdmin() && !caller.userId().equals(row.uploadedBy())) {
                requireReadable(state, fileId);
                throw AtriumException.forbidden("forbidden", "Only the file's uploader or an instance admin changes"
                        + " its metadata.");
            }
            files.replaceMetadata(fileId, checked);
            LogEvents.info(log, "file.metadata.replaced").addKeyValue("file_id", fileId)
                    .addKeyValue("keys", checked.size()).log();
            return get(state, fileId);
        });
    }

    /**
     * Adds a file the caller may read to a collection the caller may write; its chunks are shared, not copied.
     * Adding a file that is already there changes nothing.
     *
     * @throws AtriumException {@code collection_not_found} or {@code file_not_found} (404), {@code forbidden} (403),
     *                         {@code conflict} (409), {@code invalid_credentials} (401) when the caller's account
     *                         was deleted meanwhile
     */
    public CollectionFile add(EffectiveState state, UUID collectionId, UUID fileId) {
        // Lock order (docs/ARCHITECTURE.md): caller's account, collection, then the file (its link's foreign key).
        return retry.execute("file.add", () -> {
            collections.lockCaller(state.caller());
            collections.requireAccess(state, collectionId, Access.WRITE);
            requireReadable(state, fileId);
            EmbeddingTargets.Target target = lockAndResolve(collectionId);
            if (files.link(collectionId, fileId, state.caller().userId())) {
                spaces.ensureIndex(fileId, target);
                LogEvents.info(log, "file.added").addKeyValue("file_id", fileId)
                        .addKeyValue("collection_id", collectionId).log();
            }
            return inCollection(collectionId, fileId);
        });
    }

    /**
     * Removes a file from a collection. The file itself goes, everywhere, when no collection holds it any more.
     * Removing a file that is not there succeeds.
     *
     * @return whether the file was in the collection
     * @throws AtriumException {@code collection_not_found} (404), {@code forbidden} (403), {@code conflict} (409),
     *                         {@code invalid_credentials} (401) when the caller's account was deleted meanwhile
     */
    public boolean remove(EffectiveState state, UUID collectionId, UUID fileId) {
        // Lock order (docs/ARCHITECTURE.md): caller's account, collection, file, then the link.
        return retry.execute("file.remove", () -> {
            collections.lockCaller(state.caller());
            collections.requireAccess(state, collectionId, Access.WRITE);
            collections.lockForWrite(collectionId);
            files.lockForRemoval(fileId);
            if (!files.unlink(collectionId, fileId)) {
                return false;
            }
            LogEvents.info(log, "file.removed").addKeyValue("file_id", fileId)
                    .addKeyValue("collection_id", collectionId).log();
            return true;
        });
    }

    /**
     * Lists a collection's files with their ingestion status for the collection's embedding model.
     *
     * @param status only files that are {@code queued}, {@code running} (extracting or embedding), {@code ready} or
     *               {@code failed}; {@code null} for all
     * @throws AtriumException {@code collection_not_found} (404), {@code validation_failed} (400) for another status
     */
    @Transactional(readOnly = true)
    public Page<CollectionFile> list(EffectiveState state, UUID collectionId, @Nullable String status, int offset,
                                     int limit) {
        String @Nullable [] statuses = status == null ? null : STATUS_FILTERS.get(status);
        if (status != null && statuses == null) {
            throw AtriumException.invalidField("status", "must be queued, running, ready or failed");
        }
        collections.requireAccess(state, collectionId, Access.READ);
        return new Page<>(files.listInCollection(collectionId, statuses, offset, limit),
                files.countInCollection(collectionId, statuses), offset, limit);
    }

    /**
     * Reads a file's metadata and its ingestion per embedding model.
     *
     * @throws AtriumException {@code file_not_found} (404)
     */
    @Transactional(readOnly = true)
    public KnowledgeFile get(EffectiveState state, UUID fileId) {
        FileStore.FileRow row = requireReadable(state, fileId);
        return new KnowledgeFile(row.id(), row.name(), row.mediaType(), row.sizeBytes(), row.sha256(),
                row.uploadedBy(), row.createdAt(), files.ingestions(fileId), row.metadata());
    }

    /**
     * The names of files, as a list of attachments or citations shows them; read a thousand at a time.
     *
     * @param fileIds the files
     * @return the names of those the caller may read, by id; files deleted or not theirs to read are left out
     */
    @Transactional(readOnly = true)
    public Map<UUID, String> names(EffectiveState state, Collection<UUID> fileIds) {
        Caller caller = state.caller();
        List<UUID> distinct = List.copyOf(new LinkedHashSet<>(fileIds));
        Map<UUID, String> names = new HashMap<>();
        for (int from = 0; from < distinct.size(); from += NAMED_AT_ONCE) {
            names.putAll(files.readableNames(distinct.subList(from, Math.min(distinct.size(), from + NAMED_AT_ONCE)),
                    caller.isAdmin(), caller.userId(), CollectionService.groupIds(state)));
        }
        return names;
    }

    /**
     * Reads one passage of a file, as a citation names it: the text a chunk of the file's index holds.
     *
     * @param state      the caller's effective state; the file must be readable to them
     * @param fileId     the file
     * @param chunkIndex the chunk's position in the file
     * @param startChar  where the cited passage starts (chooses among indexes of several embedding models)
     * @param endChar    where it ends
     * @return the passage
     * @throws AtriumException {@code file_not_found} (404) for a file the caller may not read, or with no such
     *                         passage (not ingested yet, or re-ingested into fewer chunks)
     */
    @Transactional(readOnly = true)
    public Passage passage(EffectiveState state, UUID fileId, int chunkIndex, int startChar, int endChar) {
        FileStore.FileRow row = requireReadable(state, fileId);
        return files.passage(fileId, row.name(), chunkIndex, startChar, endChar).orElseThrow(FileService::notFound);
    }

    /**
     * The collections holding a file that the caller may read: where retrieval finds its passages (for a file
     * attached to a chat message, say).
     *
     * @param limit the most collections returned (in id order)
     * @return the collections; empty when the caller may read none of them (or the file does not exist)
     */
    @Transactional(readOnly = true)
    public List<UUID> readableCollections(EffectiveState state, UUID fileId, int limit) {
        Caller caller = state.caller();
        return files.readableCollectionsOf(fileId, caller.isAdmin(), caller.userId(), CollectionService.groupIds(state),
                limit);
    }

    /** A file's bytes, opened for a download. The caller closes the stream. */
    public record Download(String name, String mediaType, long size, InputStream content) {
    }

    /**
     * Opens a file's bytes for download.
     *
     * @throws AtriumException {@code file_not_found} (404)
     */
    public Download download(EffectiveState state, UUID fileId) {
        FileStore.FileRow row = Optional.ofNullable(transactions.execute(status -> requireReadable(state, fileId)))
                .orElseThrow();
        try {
            return new Download(row.name(), row.mediaType(), row.sizeBytes(), blobs.open(row.storageKey()));
        } catch (IOException missing) {
            // Deleted between the check and the open: for the caller it no longer exists.
            throw notFound();
        }
    }

    /**
     * Deletes a file from every collection and every store. Only its uploader or an instance admin may; others remove
     * it from their collection instead. Deleting a file that does not exist, or that the caller may not read, succeeds
     * and changes nothing.
     *
     * @throws AtriumException {@code forbidden} (403), {@code conflict} (409)
     */
    public void delete(EffectiveState state, UUID fileId) {
        retry.run("file.delete", () -> deleteInTransaction(state, fileId));
    }

    private void deleteInTransaction(EffectiveState state, UUID fileId) {
        collections.lockCaller(state.caller());
        Optional<FileStore.FileRow> row = files.find(fileId);
        if (row.isEmpty()) {
            return;
        }
        Caller caller = state.caller();
        if (!caller.isAdmin() && !caller.userId().equals(row.get().uploadedBy())) {
            if (!files.readable(fileId, false, caller.userId(), CollectionService.groupIds(state))) {
                // As for an id of no file: the answer must not tell whether a file the caller cannot see exists.
                return;
            }
            throw AtriumException.forbidden("forbidden", "Only the file's uploader or an instance admin deletes it "
                    + "everywhere; remove it from your collection instead.");
        }
        files.deleteFile(fileId);
        if (haltAfterDeleteCommit) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    Runtime.getRuntime().halt(137);
                }
            });
        }
        LogEvents.info(log, "file.deleted").addKeyValue("file_id", fileId).log();
    }

    /**
     * Resolves the collection's embedding target, locking its row ({@code for no key update}) before the link is
     * inserted, so that concurrent uploads into one collection queue instead of deadlocking.
     *
     * @throws AtriumException {@code collection_not_found} (404) when the collection was deleted meanwhile
     */
    private EmbeddingTargets.Target lockAndResolve(UUID collectionId) {
        return spaces.refreshTarget(collectionId).orElseThrow(() ->
                AtriumException.notFound("collection_not_found", "No such collection."));
    }

    private String detect(InputStreamSource content, String clientName, @Nullable String declaredType) {
        String mediaType;
        try (InputStream in = content.getInputStream()) {
            mediaType = extractor.detect(in, clientName, declaredType);
        } catch (ExtractionException hostile) {
            throw new AtriumException(HttpStatus.UNPROCESSABLE_CONTENT, hostile.code(), hostile.getMessage());
        } catch (IOException unreadable) {
            throw new UncheckedIOException("Reading the upload failed", unreadable);
        }
        if (!extractor.supports(mediaType)) {
            throw new AtriumException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type", "The file's "
                    + "content is " + mediaType + ", which Atrium does not extract text from. Supported: PDF, Word "
                    + "(DOCX), PowerPoint (PPTX), Excel (XLSX), HTML, Markdown, plain text and CSV.");
        }
        return mediaType;
    }

    private FileStore.FileRow requireReadable(EffectiveState state, UUID fileId) {
        Caller caller = state.caller();
        if (!files.readable(fileId, caller.isAdmin(), caller.userId(), CollectionService.groupIds(state))) {
            throw notFound();
        }
        return files.find(fileId).orElseThrow(FileService::notFound);
    }

    private CollectionFile inCollection(UUID collectionId, UUID fileId) {
        return files.inCollection(collectionId, fileId).orElseThrow(FileService::notFound);
    }

    private void deleteQuietly(String key) {
        try {
            blobs.delete(key);
        } catch (IOException | RuntimeException failure) {
            LogEvents.warn(log, "storage.delete.failed").addKeyValue("storage_key", key)
                    .addKeyValue("reason", failure.getClass().getSimpleName()).log();
        }
    }

    /** The client's name for display: no path, no control characters, not too long, never empty. */
    static String displayName(String clientName) {
        String name = clientName.replace('\\', '/');
        // Bidirectional embeddings, overrides and isolates would let "invoice\u202Efdp.exe" display as a PDF.
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}\u202A-\u202E\u2066-\u2069]", "")
                .strip();
        if (name.length() > MAX_NAME_LENGTH) {
            boolean splitsAPair = Character.isHighSurrogate(name.charAt(MAX_NAME_LENGTH - 1));
            name = name.substring(0, splitsAPair ? MAX_NAME_LENGTH - 1 : MAX_NAME_LENGTH);
        }
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "file" : name;
    }

    private static AtriumException notFound() {
        return AtriumException.notFound("file_not_found", "No such file.");
    }
}
