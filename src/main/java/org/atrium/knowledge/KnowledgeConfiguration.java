package org.atrium.knowledge;

import org.atrium.knowledge.extraction.TextExtractor;
import org.atrium.knowledge.extraction.TokenChunker;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Extraction, chunking and the vector index chosen for this database. */
@Configuration(proxyBeanMethods = false)
class KnowledgeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KnowledgeConfiguration.class);

    @Bean
    TextExtractor textExtractor(KnowledgeProperties properties) {
        return new TextExtractor(properties.maxExtractedCharacters());
    }

    @Bean
    TokenChunker tokenChunker(KnowledgeProperties properties) {
        return new TokenChunker(properties.chunkTokens(), properties.chunkOverlapTokens());
    }

    /**
     * pgvector when the migrations moved vectors into its per-space tables (they did because the server had the
     * extension: {@code chunks.embedding} is gone), the in-process index otherwise;
     * {@code atrium.knowledge.vector-index} can insist on one.
     */
    @Bean
    VectorIndex vectorIndex(KnowledgeProperties properties, JdbcClient jdbc, PlatformTransactionManager transactions,
                            JsonMapper json) {
        boolean pgvector = jdbc.sql("""
                        select not exists (select 1 from information_schema.columns
                                           where table_schema = current_schema() and table_name = 'chunks'
                                             and column_name = 'embedding')""")
                .query(Boolean.class).single();
        PgVectorIndex tables = pgvector ? new PgVectorIndex(jdbc, new TransactionTemplate(transactions), json,
                properties.exactScanMaxChunks(), properties.hnswEfSearch(), properties.hnswM(),
                properties.hnswEfConstruction()) : null;
        long memory = properties.inProcessIndexMemory().toBytes();
        VectorIndex index = switch (properties.vectorIndex()) {
            case AUTO -> tables != null ? tables : new InProcessVectorIndex(jdbc, memory, null);
            case PGVECTOR -> {
                if (tables == null) {
                    throw new IllegalStateException("ATRIUM_KNOWLEDGE_VECTOR_INDEX is pgvector, but the database was "
                            + "migrated without the pgvector extension: install pgvector on the PostgreSQL server "
                            + "before the first start, or use auto or in-process.");
                }
                yield tables;
            }
            case IN_PROCESS -> new InProcessVectorIndex(jdbc, memory, tables);
        };
        LogEvents.info(log, "knowledge.index.selected").addKeyValue("kind", index.kind()).log();
        return index;
    }
}
