package org.atrium.knowledge;

import org.postgresql.util.PGobject;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Keyword search with PostgreSQL's full-text search, ranked like Okapi BM25. Chunks carry their lexemes
 * ({@code chunks.terms}, GIN-indexed) in the language of their index; the query is parsed with the collection's
 * language into lexemes, and a chunk matching any of them is scored
 * {@code sum over lexemes of idf * f * (k1 + 1) / (f + k1 * (1 - b + b * length / average length))} with BM25's
 * {@code idf = ln(1 + (N - df + 0.5) / (df + 0.5))}. N and df are counted among the chunks in the search's scope (the
 * collections searched), so the statistics are those of the corpus being searched and never stale. The term frequency
 * f is read through {@code ts_rank} of the single lexeme, scaled so one occurrence is 1: PostgreSQL weighs repeated
 * occurrences with diminishing returns (1, 1.25, 1.36, ... up to 1.64), a saturation like BM25's own, so f saturates
 * somewhat earlier than a raw count would. Length is the chunk's token count.
 *
 * <p><b>Common lexemes</b> only score. Every chunk a lexeme matches is read and ranked, and a lexeme in most chunks
 * (a word every document of the corpus uses) made one search read most of the table: 330 ms at 100,000 chunks for a
 * word in 61 % of them, against 7 ms for four topic words. As in Lucene's common terms query, a lexeme that
 * PostgreSQL's statistics of {@code chunks.terms} (gathered by {@code ANALYZE}) put in at least
 * {@code commonShare} of the chunks and at least {@code commonMinChunks} chunks no longer selects chunks when the
 * query has another lexeme: it adds its score to the chunks the other lexemes select, with its df estimated as its
 * share of the scope's chunks (its idf is small whatever the exact count). A query of common lexemes alone is ranked
 * exactly. Without statistics (a table never analysed) every lexeme selects.
 */
@Component
class KeywordSearch {

    /** The most query lexemes scored; a longer query keeps its first ones. */
    static final int MAX_TERMS = 32;
    private static final double K1 = 1.2;
    private static final double B = 0.75;
    /** {@code ts_rank} of a lexeme occurring once, with the default weights: scales ranks so one occurrence is 1. */
    private static final double ONE_OCCURRENCE = 0.0607927;
    /** Common lexemes are read from the statistics at most this often (they change with {@code ANALYZE}). */
    private static final Duration COMMON_REFRESH = Duration.ofMinutes(1);

    private final JdbcClient jdbc;
    private final double commonShare;
    private final long commonMinChunks;
    private final Clock clock;
    private volatile CommonLexemes common = new CommonLexemes(Map.of(), Instant.MIN);

    @Autowired
    KeywordSearch(JdbcClient jdbc, Clock clock) {
        this(jdbc, 0.01, 2_000, clock);
    }

    /**
     * @param commonShare     a lexeme in at least this share of all chunks
     * @param commonMinChunks and in at least this many chunks is common: it scores but does not select
     * @param clock           when the statistics were read
     */
    KeywordSearch(JdbcClient jdbc, double commonShare, long commonMinChunks, Clock clock) {
        this.jdbc = jdbc;
        this.commonShare = commonShare;
        this.commonMinChunks = commonMinChunks;
        this.clock = clock;
    }

    /**
     * @param scope    what may be returned
     * @param language the text search configuration the query is parsed with
     * @param query    the user's words
     * @param limit    how many to return at most
     * @return the best chunks, best first; empty when the query has no searchable word
     */
    List<VectorIndex.Hit> search(SearchScope scope, String language, String query, int limit) {
        List<String> lexemes = jdbc.sql("""
                        select lexeme from unnest(to_tsvector(cast(:language as regconfig), :query))
                        order by positions[1] limit :max""")
                .param("language", language).param("query", query).param("max", MAX_TERMS)
                .query(String.class).list();
        if (lexemes.isEmpty()) {
            return List.of();
        }
        Map<String, Double> shares = commonLexemes();
        boolean allCommon = lexemes.stream().allMatch(shares::containsKey);
        List<String> selecting = new ArrayList<>();
        List<String> frequencies = new ArrayList<>();
        List<String> ranks = new ArrayList<>();
        List<String> scores = new ArrayList<>();
        for (int i = 0; i < lexemes.size(); i++) {
            Double share = allCommon ? null : shares.get(lexemes.get(i));
            String df;
            if (share == null) {
                selecting.add(quoted(lexemes.get(i)));
                frequencies.add("count(*) filter (where r" + i + " > 0)::float8 as df" + i);
                df = "d.df" + i;
            } else {
                df = "(" + share + " * n.docs)";
            }
            ranks.add("ts_rank(c.terms, :t" + i + ") as r" + i);
            String idf = "ln(1 + (greatest(n.docs, %1$s) - %1$s + 0.5) / (%1$s + 0.5))".formatted(df);
            String f = "(m.r" + i + " / " + ONE_OCCURRENCE + ")";
            scores.add(idf + " * " + f + " * " + (K1 + 1) + " / (" + f + " + " + K1 + " * (1 - " + B + " + " + B
                    + " * m.token_count / d.avgdl))");
        }
        // The scope is listed once, for the matches and for N. Each chunk's ranks are computed once, and the
        // materialised rows hold numbers, not lexemes.
        String sql = "with s as materialized (" + scope.readyFiles("fi.file_id, fi.chunks_total") + "),"
                + " m as materialized (select c.file_id, c.chunk_index, c.token_count, "
                + String.join(", ", ranks) + " from chunks c"
                + " where c.space_id = :scopeSpace and c.terms @@ :any and c.file_id in (select file_id from s)),"
                + " n as (select coalesce(sum(s.chunks_total), 0)::float8 as docs from s),"
                + " d as (select " + String.join("", frequencies.stream().map(f -> f + ", ").toList())
                + "greatest(avg(token_count), 1)::float8 as avgdl from m)"
                + " select m.file_id, m.chunk_index, (" + String.join(" + ", scores) + ") as score"
                + " from m cross join n cross join d order by score desc, m.file_id, m.chunk_index limit :k";
        JdbcClient.StatementSpec statement = scope.bind(jdbc.sql(sql))
                .param("any", tsquery(String.join(" | ", selecting)))
                .param("k", limit);
        for (int i = 0; i < lexemes.size(); i++) {
            statement.param("t" + i, tsquery(quoted(lexemes.get(i))));
        }
        return statement.query((rs, row) -> new VectorIndex.Hit(rs.getObject("file_id", UUID.class),
                rs.getInt("chunk_index"), rs.getDouble("score"))).list();
    }

    /**
     * The common lexemes and their shares of all chunks, from the statistics of {@code chunks.terms}, read again when
     * a minute old. Statistics are an estimate, which is all the choice needs.
     */
    private Map<String, Double> commonLexemes() {
        CommonLexemes known = common;
        Instant now = clock.instant();
        if (known.readAt().plus(COMMON_REFRESH).isAfter(now)) {
            return known.shares();
        }
        Map<String, Double> shares = new HashMap<>();
        jdbc.sql("""
                        select e.lexeme, e.share from pg_class c
                        join pg_stats s on s.schemaname = current_schema() and s.tablename = 'chunks'
                                       and s.attname = 'terms'
                        cross join unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) e(lexeme, share)
                        where c.oid = to_regclass('chunks') and e.lexeme is not null
                          and e.share >= :share and e.share * c.reltuples >= :chunks""")
                .param("share", commonShare).param("chunks", commonMinChunks)
                .query((rs, row) -> shares.put(rs.getString("lexeme"), rs.getDouble("share"))).list();
        common = new CommonLexemes(Map.copyOf(shares), now);
        return common.shares();
    }

    private record CommonLexemes(Map<String, Double> shares, Instant readAt) {
    }

    /** A lexeme as a tsquery operand: quoted, so that no character in it is read as an operator. */
    private static String quoted(String lexeme) {
        return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static PGobject tsquery(String text) {
        PGobject query = new PGobject();
        query.setType("tsquery");
        try {
            query.setValue(text);
        } catch (SQLException impossible) {
            throw new IllegalStateException(impossible);
        }
        return query;
    }
}
