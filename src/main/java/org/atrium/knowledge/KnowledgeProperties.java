package org.atrium.knowledge;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Knowledge settings ({@code atrium.knowledge.*}).
 *
 * @param maxFileSize            the largest file accepted ({@code 100MB}); also the multipart limit
 * @param chunkTokens            tokens per chunk ({@code 200}), counted with the all-MiniLM-L6-v2 tokenizer
 * @param chunkOverlapTokens     tokens shared by consecutive chunks ({@code 40})
 * @param maxExtractedCharacters a document with more text than this fails with a reason ({@code 10000000})
 * @param vectorIndex            {@code auto} (pgvector when the server has it, else in-process), {@code pgvector} or
 *                               {@code in-process}
 * @param inProcessIndexMemory   how many vectors the in-process index keeps in memory ({@code 256MB})
 * @param ingestAttempts         how often a job that failed on a transient provider error is tried ({@code 4})
 * @param ingestRetryBackoff     the wait before the second attempt, doubled for each further one ({@code 30s})
 * @param garbageInterval        how often stored bytes of deleted files are removed ({@code 2s})
 * @param reconcileInterval      how often the cluster-wide reconciler runs ({@code 5m})
 * @param orphanGrace            stored bytes with no file row are removed once older than this ({@code 1h}), so an
 *                               upload still in progress is never touched
 * @param exactScanMaxChunks     a vector search whose scope holds at most this many chunks compares them all instead
 *                               of walking the HNSW index ({@code 10000})
 * @param hnswEfSearch           how many candidates an HNSW walk keeps ({@code hnsw.ef_search}, {@code 320}):
 *                               recall against speed, see docs/benchmarks.md
 * @param hnswM                  links per node of the HNSW graph of a new embedding space's index ({@code 32};
 *                               pgvector's default is 16): recall against build time and size, see docs/benchmarks.md
 * @param hnswEfConstruction     the candidate list while the graph is built ({@code 200}; pgvector's default is 64);
 *                               at least twice {@code hnswM}; indexes built before a change keep theirs
 * @param defaultLanguage        the text search configuration (language) of new collections' keyword search
 *                               ({@code english}; any of PostgreSQL's, such as {@code simple}, {@code german})
 */
@Validated
@ConfigurationProperties("atrium.knowledge")
record KnowledgeProperties(
        @DefaultValue("100MB") @NotNull DataSize maxFileSize,
        @DefaultValue("200") @Min(16) int chunkTokens,
        @DefaultValue("40") @Min(0) int chunkOverlapTokens,
        @DefaultValue("10000000") @Min(1) long maxExtractedCharacters,
        @DefaultValue("auto") @NotNull VectorIndexKind vectorIndex,
        @DefaultValue("256MB") @NotNull DataSize inProcessIndexMemory,
        @DefaultValue("4") @Min(1) int ingestAttempts,
        @DefaultValue("30s") @NotNull Duration ingestRetryBackoff,
        @DefaultValue("2s") @NotNull Duration garbageInterval,
        @DefaultValue("5m") @NotNull Duration reconcileInterval,
        @DefaultValue("1h") @NotNull Duration orphanGrace,
        @DefaultValue("10000") @Min(0) long exactScanMaxChunks,
        @DefaultValue("320") @Min(1) @Max(1000) int hnswEfSearch,
        @DefaultValue("32") @Min(2) @Max(100) int hnswM,
        @DefaultValue("200") @Min(4) @Max(1000) int hnswEfConstruction,
        @DefaultValue("english") @NotNull String defaultLanguage) {

    /**
     * Refuses a graph pgvector would refuse to build: it does so only when a new embedding space's index is created,
     * long after startup, and the ingestion that needed it would fail.
     */
    KnowledgeProperties {
        if (hnswEfConstruction < 2 * hnswM) {
            throw new IllegalArgumentException("atrium.knowledge.hnsw-ef-construction"
                    + " (ATRIUM_KNOWLEDGE_HNSW_EF_CONSTRUCTION) must be at least twice atrium.knowledge.hnsw-m"
                    + " (ATRIUM_KNOWLEDGE_HNSW_M): pgvector refuses to build an index otherwise");
        }
    }

    /** Where vectors are searched. */
    enum VectorIndexKind { AUTO, PGVECTOR, IN_PROCESS }
}
