package org.atrium.knowledge;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyword search with a lexeme in many chunks: once PostgreSQL's statistics put it among the common lexemes, it adds
 * its score to the chunks the query's other lexemes select and selects none itself; alone, it is ranked exactly. The
 * thresholds are lowered to the size of a test's corpus (the defaults need thousands of chunks); the files go
 * through the real upload and ingestion path and the statistics are PostgreSQL's own, gathered by {@code ANALYZE}.
 */
class KeywordCommonLexemesTest extends IntegrationTest {

    private static final int FERRY_FILES = 30;

    private Knowledge knowledge;
    private TestUsers.Account admin;
    private UUID collection;
    private UUID both;
    private UUID lighthouseOnly;
    private SearchScope scope;
    /** Words of this test alone: each test uploads its files again into the same database. */
    private String ferry;
    private String bothWords;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
        admin = users.admin();
        UUID group = users.group(admin, "common-lexemes");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-common");
        knowledge.addGroupCredential(admin, group, "fake", "sk-common-secret-0001");
        collection = knowledge.groupCollection(admin, group, "Ferries");
        String letters = UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        ferry = "quokkaferry" + letters;
        String lighthouse = "zanzilighthouse" + letters;
        bothWords = ferry + " " + lighthouse;
        for (int i = 0; i < FERRY_FILES; i++) {
            upload("ferry-" + i + ".txt", "The " + ferry + " timetable, page " + i + ", lists every crossing.");
        }
        both = upload("both.txt", "The " + ferry + " passes the " + lighthouse + " at dawn.");
        lighthouseOnly = upload("lighthouse.txt", "A " + lighthouse + " stands alone on the cliff above the bay.");
        jdbc.sql("analyze chunks").update();
        int space = jdbc.sql("select space_id from file_indexes where file_id = :f").param("f", both)
                .query(Integer.class).single();
        int dimensions = jdbc.sql("select dimensions from embedding_spaces where id = :s").param("s", space)
                .query(Integer.class).single();
        scope = new SearchScope(space, dimensions, List.of(collection), Map.of());
        double ferryChunks = jdbc.sql("""
                        select coalesce(max(e.share * c.reltuples), 0) from pg_class c
                        join pg_stats s on s.tablename = 'chunks' and s.attname = 'terms'
                        cross join unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) e(lexeme, share)
                        where c.oid = to_regclass('chunks')
                          and e.lexeme = (select lexeme from unnest(to_tsvector('english', :word)))""")
                .param("word", ferry).query(Double.class).single();
        assertThat(ferryChunks).as("the statistics count the ferry's lexeme in about %d chunks", FERRY_FILES + 1)
                .isBetween(FERRY_FILES * 0.5, FERRY_FILES * 2.0);
    }

    @Test
    void aCommonLexemeScoresTheChunksTheOtherLexemesSelectButSelectsNone() {
        List<VectorIndex.Hit> exact = neverCommon().search(scope, "english", bothWords, 100);
        assertThat(exact).as("ranked exactly, every chunk with either word").hasSize(FERRY_FILES + 2);

        List<VectorIndex.Hit> hits = commonAbove(FERRY_FILES / 2).search(scope, "english", bothWords, 100);

        assertThat(hits).extracting(VectorIndex.Hit::fileId).containsExactly(both, lighthouseOnly);
        assertThat(hits.get(0).score()).as("the ferry's lexeme still scores").isGreaterThan(hits.get(1).score());
    }

    @Test
    void aQueryOfCommonLexemesAloneIsRankedExactly() {
        List<VectorIndex.Hit> exact = neverCommon().search(scope, "english", ferry, 100);

        List<VectorIndex.Hit> hits = commonAbove(FERRY_FILES / 2).search(scope, "english", ferry, 100);

        assertThat(hits).hasSize(FERRY_FILES + 1).isEqualTo(exact);
    }

    @Test
    void aLexemeUnderTheThresholdStillSelects() {
        List<VectorIndex.Hit> hits = commonAbove(FERRY_FILES * 10).search(scope, "english", bothWords, 100);

        assertThat(hits).hasSize(FERRY_FILES + 2)
                .isEqualTo(neverCommon().search(scope, "english", bothWords, 100));
    }

    private KeywordSearch commonAbove(long chunks) {
        return new KeywordSearch(jdbc, 0, chunks, Clock.systemUTC());
    }

    private KeywordSearch neverCommon() {
        return new KeywordSearch(jdbc, 2, Long.MAX_VALUE, Clock.systemUTC());
    }

    private UUID upload(String name, String text) {
        UUID file = knowledge.upload(admin, collection, name, text.getBytes(StandardCharsets.UTF_8));
        assertThat(knowledge.awaitSettled(admin, collection, file).path("status").asString()).isEqualTo("ready");
        return file;
    }
}
