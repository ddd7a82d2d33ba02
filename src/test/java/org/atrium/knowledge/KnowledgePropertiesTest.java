package org.atrium.knowledge;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code atrium.knowledge.hnsw-*}: a graph pgvector would refuse to build ({@code ef_construction} below twice
 * {@code m}) stops startup, naming both variables, instead of failing the first ingestion into a new space.
 */
class KnowledgePropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(KnowledgePropertiesOnly.class);

    @Test
    void theDefaultGraphAndOneWithEfConstructionExactlyTwiceMAreAccepted() {
        runner.run(context -> {
            KnowledgeProperties properties = context.getBean(KnowledgeProperties.class);
            assertThat(properties.hnswM()).isEqualTo(32);
            assertThat(properties.hnswEfConstruction()).isEqualTo(200);
        });
        runner.withPropertyValues("atrium.knowledge.hnsw-m=32", "atrium.knowledge.hnsw-ef-construction=64")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void efConstructionBelowTwiceMStopsStartupNamingBothVariables() {
        runner.withPropertyValues("atrium.knowledge.hnsw-m=40", "atrium.knowledge.hnsw-ef-construction=64")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("ATRIUM_KNOWLEDGE_HNSW_EF_CONSTRUCTION")
                        .hasMessageContaining("ATRIUM_KNOWLEDGE_HNSW_M"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(KnowledgeProperties.class)
    static class KnowledgePropertiesOnly {
    }
}
