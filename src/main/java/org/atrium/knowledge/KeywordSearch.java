package org.atrium.knowledge;

import org.postgresql.util.PGobject;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
 */
@Component
class KeywordSearch {

    /** The most query lexemes scored; a longer query keeps its first ones. */
    static final int MAX_TERMS = 32;
    private static final double K1 = 1.2;
    private static final double B = 0.75;
    /** {@code ts_rank} of a lexeme occurring once, with the default weights: scales ranks so one occurrence is 1. */
    private static final double ONE_OCCURRENCE = 0.0607927;

    private final JdbcClient jdbc;

    KeywordSearch(JdbcClient jdbc) {
        this.jdbc = jdbc;
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
        List<String> frequencies = new ArrayList<>();
        List<String> scores = new ArrayList<>();
        for (int i = 0; i < lexemes.size(); i++) {
            frequencies.add("count(*) filter (where terms @@ :t" + i + ")::float8 as df" + i);
            String idf = "ln(1 + (greatest(n.docs, d.df%1$d) - d.df%1$d + 0.5) / (d.df%1$d + 0.5))".formatted(i);
            String f = "(ts_rank(m.terms, :t" + i + ") / " + ONE_OCCURRENCE + ")";
            scores.add(idf + " * " + f + " * " + (K1 + 1) + " / (" + f + " + " + K1 + " * (1 - " + B + " + " + B
                    + " * m.token_count / d.avgdl))");
        }
        String sql = "with m as materialized (select c.file_id, c.chunk_index, c.token_count, c.terms from chunks c"
                + " where c.space_id = :scopeSpace and c.terms @@ :any and c.file_id in (" + scope.readyFiles() + ")),"
                + " n as (select coalesce(sum(i.chunks_total), 0)::float8 as docs from file_indexes i"
                + " where i.space_id = :scopeSpace and i.file_id in (" + scope.readyFiles() + ")),"
                + " d as (select " + String.join(", ", frequencies)
                + ", greatest(avg(token_count), 1)::float8 as avgdl from m)"
                + " select m.file_id, m.chunk_index, (" + String.join(" + ", scores) + ") as score"
                + " from m cross join n cross join d order by score desc, m.file_id, m.chunk_index limit :k";
        JdbcClient.StatementSpec statement = scope.bind(jdbc.sql(sql))
                .param("any", tsquery(String.join(" | ", lexemes.stream().map(KeywordSearch::quoted).toList())))
                .param("k", limit);
        for (int i = 0; i < lexemes.size(); i++) {
            statement.param("t" + i, tsquery(quoted(lexemes.get(i))));
        }
        return statement.query((rs, row) -> new VectorIndex.Hit(rs.getObject("file_id", UUID.class),
                rs.getInt("chunk_index"), rs.getDouble("score"))).list();
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
