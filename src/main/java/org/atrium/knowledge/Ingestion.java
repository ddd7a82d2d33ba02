package org.atrium.knowledge;

import org.atrium.knowledge.extraction.ExtractedText;
import org.atrium.knowledge.extraction.ExtractionException;
import org.atrium.knowledge.extraction.TextChunk;
import org.atrium.knowledge.extraction.TextExtractor;
import org.atrium.knowledge.extraction.TokenChunker;
import org.atrium.platform.LogEvents;
import org.atrium.providers.Embedder;
import org.atrium.providers.EmbeddingFailure;
import org.atrium.storage.BlobNotFoundException;
import org.atrium.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs one ingestion job: extract, chunk, embed in batches, write, mark ready. Every write happens in a short
 * transaction that first locks the file's index row and checks the job's generation, so a job whose file was deleted
 * or whose index was restarted writes nothing more. A job run again (its replica died, or a retry) redoes only the
 * chunks that are missing: chunks are keyed by (file, space, index) and chunking is deterministic.
 */
@Component
class Ingestion {

    private static final Logger log = LoggerFactory.getLogger(Ingestion.class);

    /** A failure that no retry will fix, with the code and reason shown to the user. */
    static final class PermanentFailure extends RuntimeException {
        private final String code;

        PermanentFailure(String code, String reason) {
            super(reason);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    private final FileStore files;
    private final BlobStore blobs;
    private final TextExtractor extractor;
    private final TokenChunker chunker;
    private final EmbeddingTargets targets;
    private final VectorIndex index;
    private final KnowledgeEvents events;
    private final CollectionSpaces spaces;
    private final SearchStatistics statistics;
    private final TransactionTemplate transactions;

    Ingestion(FileStore files, BlobStore blobs, TextExtractor extractor, TokenChunker chunker, EmbeddingTargets targets,
              VectorIndex index, KnowledgeEvents events, CollectionSpaces spaces, SearchStatistics statistics,
              PlatformTransactionManager transactionManager) {
        this.spaces = spaces;
        this.statistics = statistics;
        this.files = files;
        this.blobs = blobs;
        this.extractor = extractor;
        this.chunker = chunker;
        this.targets = targets;
        this.index = index;
        this.events = events;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * Runs the job to its end.
     *
     * @throws PermanentFailure when the file cannot be ingested
     * @throws EmbeddingFailure when the provider failed, possibly transiently
     */
    void run(IngestionJobs.IngestJob job) {
        long started = System.nanoTime();
        Optional<FileStore.IndexRow> current = fenced(job, row -> {
            files.setStatus(job.fileId(), job.spaceId(), IngestionStatus.EXTRACTING, null, null);
            return row;
        });
        if (current.isEmpty()) {
            abandoned(job, "before start");
            return;
        }
        EmbeddingTargets.Ready target = target(job, current.get());
        Embedder embedder = targets.embedder(target).orElseThrow(() -> new PermanentFailure(
                "embedding_credential_deleted", "The credential chosen for embedding was deleted; an admin must "
                + "set another one for connection '" + target.connection() + "'."));
        Optional<FileStore.FileRow> file = files.find(job.fileId());
        if (file.isEmpty()) {
            abandoned(job, "file gone");
            return;
        }
        List<TextChunk> chunks = chunker.chunk(extract(file.get()).text());
        if (chunks.isEmpty()) {
            throw new PermanentFailure("no_text", "The document contains no text to index.");
        }
        Optional<Set<Integer>> written = fenced(job, row -> {
            files.setStatus(job.fileId(), job.spaceId(), IngestionStatus.EMBEDDING, chunks.size(),
                    target.credentialId());
            files.dropChunksFrom(job.fileId(), job.spaceId(), chunks.size());
            files.chooseLanguage(job.fileId(), job.spaceId());
            return new HashSet<>(files.writtenChunks(job.fileId(), job.spaceId()));
        });
        if (written.isEmpty()) {
            abandoned(job, "before embedding");
            return;
        }
        List<TextChunk> missing = chunks.stream().filter(c -> !written.get().contains(c.index())).toList();
        Integer dimensions = current.get().dimensions();
        for (int from = 0; from < missing.size(); from += embedder.batchSize()) {
            List<TextChunk> batch = missing.subList(from, Math.min(missing.size(), from + embedder.batchSize()));
            List<float[]> vectors = embedder.embed(batch.stream().map(TextChunk::text).toList());
            if (dimensions == null) {
                dimensions = claimDimensions(job, target, vectors.getFirst().length);
            }
            int expected = dimensions;
            if (vectors.stream().anyMatch(v -> v.length != expected)) {
                throw new PermanentFailure("embedding_dimensions_changed", "The model '" + target.model()
                        + "' returned vectors of another size than before; an admin must choose the model again.");
            }
            List<FileStore.NewChunk> rows = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                TextChunk chunk = batch.get(i);
                rows.add(new FileStore.NewChunk(chunk.index(), chunk.text(), chunk.startChar(), chunk.endChar(),
                        chunk.tokenCount(), vectors.get(i)));
            }
            int vectorSize = dimensions;
            if (fenced(job, row -> {
                files.upsertChunks(job.fileId(), job.spaceId(), rows, index.vectorsInChunkRows());
                index.storeVectors(job.fileId(), job.spaceId(), vectorSize, rows);
                return true;
            }).isEmpty()) {
                abandoned(job, "while embedding");
                return;
            }
        }
        if (fenced(job, row -> {
            files.setStatus(job.fileId(), job.spaceId(), IngestionStatus.READY, chunks.size(), null);
            return true;
        }).isEmpty()) {
            abandoned(job, "at the end");
            return;
        }
        settled(job);
        statistics.refreshAfterIngestion(job.spaceId());
        LogEvents.info(log, "file.ingest.completed").addKeyValue("file_id", job.fileId())
                .addKeyValue("space_id", job.spaceId()).addKeyValue("chunks", chunks.size())
                .addKeyValue("embedded", missing.size())
                .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
    }

    /** Marks the job's index failed, if the job's generation is still current. */
    void fail(IngestionJobs.IngestJob job, String code, String reason) {
        if (fenced(job, row -> {
            files.setFailed(job.fileId(), job.spaceId(), code, reason);
            return true;
        }).isPresent()) {
            LogEvents.warn(log, "file.ingest.failed").addKeyValue("file_id", job.fileId())
                    .addKeyValue("space_id", job.spaceId()).addKeyValue("code", code).log();
            settled(job);
        }
    }

    /** Notes on the index that the job will be tried again, keeping its status. */
    void retrying(IngestionJobs.IngestJob job, String reason) {
        fenced(job, row -> {
            files.noteRetry(job.fileId(), job.spaceId(), reason);
            return true;
        });
    }

    /** A collection re-indexing into this space may now switch to it. */
    private void settled(IngestionJobs.IngestJob job) {
        transactions.executeWithoutResult(status -> spaces.promoteHolders(job.fileId(), job.spaceId()));
    }

    private EmbeddingTargets.Ready target(IngestionJobs.IngestJob job, FileStore.IndexRow row) {
        EmbeddingTargets.Unavailable last = null;
        for (FileStore.Owner owner : files.ownersInSpace(job.fileId(), job.spaceId())) {
            EmbeddingTargets.Target target = targets.resolve(owner.userId(), owner.groupId());
            if (target instanceof EmbeddingTargets.Ready ready && ready.spaceId() == job.spaceId()) {
                return ready;
            }
            if (target instanceof EmbeddingTargets.Unavailable unavailable) {
                last = unavailable;
            }
        }
        if (last != null) {
            throw new PermanentFailure(last.code(), last.reason());
        }
        throw new PermanentFailure("embedding_not_configured", "No collection holding this file uses the model '"
                + row.model() + "' any more.");
    }

    private ExtractedText extract(FileStore.FileRow file) {
        try (InputStream content = blobs.open(file.storageKey())) {
            // The type chosen at upload, where the client's declared name could still be weighed.
            return extractor.extract(content, file.mediaType());
        } catch (BlobNotFoundException missing) {
            throw new PermanentFailure("file_bytes_missing", "The file's stored bytes are missing; upload it again.");
        } catch (ExtractionException unreadable) {
            // Bombs and documents beyond the limits fail here, on the first attempt: no retry reads them better.
            throw new PermanentFailure(unreadable.code(), unreadable.getMessage());
        } catch (IOException storage) {
            throw new UncheckedIOException("Reading the stored file failed", storage);
        }
    }

    private int claimDimensions(IngestionJobs.IngestJob job, EmbeddingTargets.Ready target, int dimensions) {
        boolean claimed = Boolean.TRUE.equals(transactions.execute(status ->
                files.claimDimensions(job.spaceId(), dimensions)));
        if (!claimed) {
            throw new PermanentFailure("embedding_dimensions_changed", "The model '" + target.model()
                    + "' returned vectors of another size than before; an admin must choose the model again.");
        }
        index.prepareSpace(job.spaceId(), dimensions);
        return dimensions;
    }

    /** Runs the write in a transaction holding the index row, if the job's generation is still current. */
    private <T> Optional<T> fenced(IngestionJobs.IngestJob job, Function<FileStore.IndexRow, T> write) {
        Optional<T> result = transactions.execute(status -> files.lockCurrent(job.fileId(), job.spaceId(),
                job.generation()).map(write));
        if (result != null && result.isPresent()) {
            events.statusChanged(job.fileId(), job.spaceId());
        }
        return result == null ? Optional.empty() : result;
    }

    private static void abandoned(IngestionJobs.IngestJob job, String when) {
        LogEvents.info(log, "file.ingest.abandoned").addKeyValue("file_id", job.fileId())
                .addKeyValue("space_id", job.spaceId()).addKeyValue("when", when).log();
    }
}
