package org.atrium.knowledge;

import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.providers.EmbeddingFailure;
import org.atrium.settings.EffectiveState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Retrieval: the chunks that best match a query among the collections the caller may read, ranked by meaning (vector),
 * by keywords, or by both fused. Collections are grouped by embedding space; the query is embedded once per space with
 * that space's model (and the credential of the collection's owner), and each space is searched only with its own
 * vectors, so models never mix. Keyword search runs per space and language. Hybrid ranking fuses every ranking by
 * reciprocal rank ({@code sum of 1 / (60 + rank)}, Cormack et al. 2009), which needs no score calibration between
 * BM25 and cosine similarity, nor between models.
 */
@Service
public class RetrievalService {

    private static final Logger log = LoggerFactory.getLogger(RetrievalService.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The constant of reciprocal rank fusion: damps the weight of the very first ranks. */
    static final int RRF_K = 60;
    /** The most chunks ranked to build file results. */
    private static final int MAX_CHUNK_DEPTH = 2 * RetrievalQuery.MAX_DEPTH;
    /** Metadata filter bounds. */
    public static final int MAX_FILTER_KEYS = 16;
    /** Values per filter key. */
    public static final int MAX_FILTER_VALUES = 32;

    private final CollectionService collections;
    private final EmbeddingTargets targets;
    private final VectorIndex index;
    private final KeywordSearch keywords;
    private final JdbcClient jdbc;

    RetrievalService(CollectionService collections, EmbeddingTargets targets, VectorIndex index,
                     KeywordSearch keywords, JdbcClient jdbc) {
        this.collections = collections;
        this.targets = targets;
        this.index = index;
        this.keywords = keywords;
        this.jdbc = jdbc;
    }

    /** A chunk in one space, and how it ranks. */
    private record Ranked(UUID fileId, int chunkIndex, int spaceId, double score) {

        /** Best first; ties in a fixed order, so that pages never overlap. */
        static final Comparator<Ranked> BEST_FIRST = Comparator.comparingDouble(Ranked::score).reversed()
                .thenComparing(Ranked::fileId, VectorIndex::compareIds).thenComparingInt(Ranked::chunkIndex)
                .thenComparingInt(Ranked::spaceId);
    }

    /**
     * @param state   the caller's effective state
     * @param request what to look for, where and how
     * @return the best results across the collections, and the collections that could not be searched
     * @throws AtriumException {@code collection_not_found} (404), {@code validation_failed} (400),
     *                         {@code embedding_failed} (502) when the provider refused or failed to embed the query
     */
    public Retrieval retrieve(EffectiveState state, RetrievalQuery request) {
        validate(request);
        long started = System.nanoTime();
        Map<Integer, List<UUID>> bySpace = new LinkedHashMap<>();
        Map<Integer, EmbeddingTargets.Ready> readyBySpace = new LinkedHashMap<>();
        List<Retrieval.Skipped> skipped = new ArrayList<>();
        for (UUID collectionId : request.collectionIds().stream().distinct().toList()) {
            CollectionStore.Row row = collections.requireAccess(state, collectionId, Access.READ);
            switch (targets.resolve(row.ownerUserId(), row.ownerGroupId())) {
                case EmbeddingTargets.Ready current -> {
                    EmbeddingTargets.Ready ready = serving(collectionId, current);
                    bySpace.computeIfAbsent(ready.spaceId(), s -> new ArrayList<>()).add(collectionId);
                    readyBySpace.putIfAbsent(ready.spaceId(), ready);
                }
                case EmbeddingTargets.Unavailable unavailable ->
                        skipped.add(new Retrieval.Skipped(collectionId, unavailable.code(), unavailable.reason()));
            }
        }
        // How deep each ranking is read must not depend on the page asked for whenever the order of the results
        // does: file groups and fused scores change with depth, and pages would then overlap or skip. Only a plain
        // chunk ranking keeps its order at any depth.
        int depth = request.groupBy() == RetrievalQuery.GroupBy.FILE ? MAX_CHUNK_DEPTH
                : request.mode() == RetrievalQuery.Mode.HYBRID ? RetrievalQuery.MAX_DEPTH + 1
                : request.offset() + request.topK() + 1;
        List<List<Ranked>> rankings = new ArrayList<>();
        for (var entry : bySpace.entrySet()) {
            int spaceId = entry.getKey();
            Optional<Integer> dimensions = jdbc.sql("select dimensions from embedding_spaces where id = :s")
                    .param("s", spaceId).query(Integer.class).optional();
            if (dimensions.isEmpty()) {
                continue;
            }
            if (request.mode() != RetrievalQuery.Mode.KEYWORD) {
                float[] vector = embed(readyBySpace.get(spaceId), request.query());
                SearchScope scope = new SearchScope(spaceId, dimensions.get(), entry.getValue(), request.metadata());
                rankings.add(ranked(index.search(scope, vector, depth), spaceId));
            }
            if (request.mode() != RetrievalQuery.Mode.VECTOR) {
                // One keyword ranking per space, whatever the languages: a file held by collections of two languages
                // must not count twice in fusion.
                List<List<Ranked>> byLanguage = new ArrayList<>();
                for (var language : byLanguage(entry.getValue()).entrySet()) {
                    SearchScope scope = new SearchScope(spaceId, dimensions.get(), language.getValue(),
                            request.metadata());
                    byLanguage.add(ranked(keywords.search(scope, language.getKey(), request.query(), depth), spaceId));
                }
                rankings.add(merged(byLanguage));
            }
        }
        List<Ranked> ranked = request.mode() == RetrievalQuery.Mode.HYBRID ? fused(rankings) : merged(rankings);
        List<UUID> searched = bySpace.values().stream().flatMap(List::stream).toList();
        Retrieval result = request.groupBy() == RetrievalQuery.GroupBy.CHUNK
                ? chunkPage(request, ranked, searched, skipped)
                : filePage(request, ranked, searched, skipped);
        LogEvents.info(log, "knowledge.retrieved").addKeyValue("collections", request.collectionIds().size())
                .addKeyValue("mode", result.mode()).addKeyValue("chunks", result.chunks().size())
                .addKeyValue("files", result.files().size()).addKeyValue("index", index.kind())
                .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        return result;
    }

    private static void validate(RetrievalQuery request) {
        if (request.query().isBlank()) {
            throw AtriumException.invalidField("query", "must not be blank");
        }
        if (request.collectionIds().isEmpty()) {
            throw AtriumException.invalidField("collectionIds", "must name at least one collection");
        }
        if (request.topK() < 1 || request.topK() > RetrievalQuery.MAX_TOP_K) {
            throw AtriumException.invalidField("topK", "must be between 1 and " + RetrievalQuery.MAX_TOP_K);
        }
        if (request.offset() < 0 || request.offset() + request.topK() > RetrievalQuery.MAX_DEPTH) {
            throw AtriumException.invalidField("offset", "must be at least 0, and offset + topK at most "
                    + RetrievalQuery.MAX_DEPTH);
        }
        if (request.chunksPerFile() < 1 || request.chunksPerFile() > RetrievalQuery.MAX_CHUNKS_PER_FILE) {
            throw AtriumException.invalidField("chunksPerFile", "must be between 1 and "
                    + RetrievalQuery.MAX_CHUNKS_PER_FILE);
        }
        if (request.metadata().size() > MAX_FILTER_KEYS) {
            throw AtriumException.invalidField("filter.metadata", "may name at most " + MAX_FILTER_KEYS + " keys");
        }
        request.metadata().forEach((key, values) -> {
            if (values.isEmpty() || values.size() > MAX_FILTER_VALUES) {
                throw AtriumException.invalidField("filter.metadata", "'" + key + "' must list 1 to "
                        + MAX_FILTER_VALUES + " values");
            }
        });
    }

    /** The collections grouped by the language their queries are parsed with. */
    private Map<String, List<UUID>> byLanguage(List<UUID> collectionIds) {
        Map<String, List<UUID>> languages = new LinkedHashMap<>();
        jdbc.sql("select id, language::text as language from collections where id = any(:ids) order by id")
                .param("ids", collectionIds.toArray(UUID[]::new))
                .query(rs -> {
                    languages.computeIfAbsent(rs.getString("language"), l -> new ArrayList<>())
                            .add(rs.getObject("id", UUID.class));
                });
        return languages;
    }

    private static List<Ranked> ranked(List<VectorIndex.Hit> hits, int spaceId) {
        return hits.stream().map(hit -> new Ranked(hit.fileId(), hit.chunkIndex(), spaceId, hit.score())).toList();
    }

    /** One ranking from several of one kind: scores of one kind are compared directly. */
    private static List<Ranked> merged(List<List<Ranked>> rankings) {
        Map<Ranked, Ranked> best = new LinkedHashMap<>();
        for (List<Ranked> ranking : rankings) {
            for (Ranked hit : ranking) {
                best.merge(key(hit), hit, (a, b) -> a.score() >= b.score() ? a : b);
            }
        }
        List<Ranked> all = new ArrayList<>(best.values());
        all.sort(Ranked.BEST_FIRST);
        return all;
    }

    /** Reciprocal rank fusion of every ranking. */
    private static List<Ranked> fused(List<List<Ranked>> rankings) {
        Map<Ranked, Double> scores = new LinkedHashMap<>();
        for (List<Ranked> ranking : rankings) {
            for (int rank = 0; rank < ranking.size(); rank++) {
                scores.merge(key(ranking.get(rank)), 1.0 / (RRF_K + rank + 1), Double::sum);
            }
        }
        List<Ranked> all = new ArrayList<>();
        scores.forEach((key, score) -> all.add(new Ranked(key.fileId(), key.chunkIndex(), key.spaceId(), score)));
        all.sort(Ranked.BEST_FIRST);
        return all;
    }

    private static Ranked key(Ranked hit) {
        return new Ranked(hit.fileId(), hit.chunkIndex(), hit.spaceId(), 0);
    }

    private Retrieval chunkPage(RetrievalQuery request, List<Ranked> ranked, List<UUID> searched,
                                List<Retrieval.Skipped> skipped) {
        List<Ranked> page = slice(ranked, request.offset(), request.topK());
        Integer next = ranked.size() > request.offset() + request.topK() ? request.offset() + request.topK() : null;
        Map<Ranked, RetrievedChunk> read = read(page, searched);
        List<RetrievedChunk> chunks = page.stream().map(hit -> read.get(key(hit))).filter(Objects::nonNull).toList();
        return new Retrieval(modeName(request), chunks, List.of(), next, skipped);
    }

    private Retrieval filePage(RetrievalQuery request, List<Ranked> ranked, List<UUID> searched,
                               List<Retrieval.Skipped> skipped) {
        Map<UUID, List<Ranked>> byFile = new LinkedHashMap<>();
        for (Ranked hit : ranked) {
            List<Ranked> best = byFile.computeIfAbsent(hit.fileId(), f -> new ArrayList<>());
            if (best.size() < request.chunksPerFile()) {
                best.add(hit);
            }
        }
        List<List<Ranked>> files = slice(new ArrayList<>(byFile.values()), request.offset(), request.topK());
        Map<Ranked, RetrievedChunk> read = read(files.stream().flatMap(List::stream).toList(), searched);
        List<RetrievedFile> results = new ArrayList<>();
        for (List<Ranked> file : files) {
            List<RetrievedChunk> chunks = file.stream().map(hit -> read.get(key(hit))).filter(Objects::nonNull)
                    .toList();
            if (!chunks.isEmpty()) {
                RetrievedChunk first = chunks.getFirst();
                results.add(new RetrievedFile(first.fileId(), first.fileName(), first.collectionId(), first.metadata(),
                        first.score(), chunks));
            }
        }
        Integer next = byFile.size() > request.offset() + request.topK() ? request.offset() + request.topK() : null;
        return new Retrieval(modeName(request), List.of(), results, next, skipped);
    }

    private static <T> List<T> slice(List<T> all, int offset, int count) {
        return offset >= all.size() ? List.of() : all.subList(offset, Math.min(all.size(), offset + count));
    }

    private static String modeName(RetrievalQuery request) {
        return request.mode().name().toLowerCase(Locale.ROOT);
    }

    /**
     * The target to search a collection with: its serving space, which lags behind its current one while a re-index
     * after a model change runs. The old model is queried with the credential that applies now when the connection
     * is the same (or needs none); otherwise the new space is searched, with the files already re-indexed.
     */
    private EmbeddingTargets.Ready serving(UUID collectionId, EmbeddingTargets.Ready current) {
        record Space(int id, String connection, String model) {
        }
        Optional<Space> serving = jdbc.sql("""
                        select s.id, s.connection, s.model from collections c
                        join embedding_spaces s on s.id = c.serving_space_id
                        where c.id = :c and c.serving_space_id <> :current""")
                .param("c", collectionId).param("current", current.spaceId())
                .query((rs, row) -> new Space(rs.getInt("id"), rs.getString("connection"), rs.getString("model")))
                .optional();
        if (serving.isEmpty()) {
            return current;
        }
        Space old = serving.get();
        if (old.connection().equals(current.connection())) {
            return new EmbeddingTargets.Ready(old.id(), old.connection(), old.model(), current.credentialId());
        }
        if (targets.needsNoCredential(old.connection())) {
            return new EmbeddingTargets.Ready(old.id(), old.connection(), old.model(), null);
        }
        return current;
    }

    private float[] embed(EmbeddingTargets.Ready ready, String query) {
        try {
            return targets.embedder(ready).orElseThrow(() -> new AtriumException(HttpStatus.CONFLICT,
                            "embedding_credential_deleted", "The credential chosen for embedding was deleted."))
                    .embed(List.of(query)).getFirst();
        } catch (EmbeddingFailure failure) {
            throw new AtriumException(HttpStatus.BAD_GATEWAY, "embedding_failed", failure.getMessage());
        }
    }

    /**
     * Reads the hits' text, keyed by {@link #key}, leaving out chunks whose file is no longer held by one of the
     * collections (removed since the search).
     */
    private Map<Ranked, RetrievedChunk> read(List<Ranked> hits, List<UUID> collectionIds) {
        if (hits.isEmpty()) {
            return Map.of();
        }
        Map<Ranked, RetrievedChunk> found = new LinkedHashMap<>();
        jdbc.sql("""
                        select distinct on (h.ord) h.ord, c.file_id, c.space_id, c.chunk_index, c.start_char,
                               c.end_char, c.content, f.name, f.metadata::text as metadata, cf.collection_id
                        from unnest(:files, :spaces, :indexes) with ordinality as h(file_id, space_id, chunk_index, ord)
                        join chunks c on c.file_id = h.file_id and c.space_id = h.space_id
                                     and c.chunk_index = h.chunk_index
                        join files f on f.id = c.file_id
                        join collection_files cf on cf.file_id = c.file_id and cf.collection_id = any(:collections)
                        join collections col on col.id = cf.collection_id
                                             and (col.space_id = c.space_id or col.serving_space_id = c.space_id)
                        order by h.ord, cf.collection_id""")
                .param("files", hits.stream().map(Ranked::fileId).toArray(UUID[]::new))
                .param("spaces", hits.stream().map(Ranked::spaceId).toArray(Integer[]::new))
                .param("indexes", hits.stream().map(Ranked::chunkIndex).toArray(Integer[]::new))
                .param("collections", collectionIds.toArray(UUID[]::new))
                .query(rs -> {
                    Ranked hit = hits.get(rs.getInt("ord") - 1);
                    found.put(key(hit), new RetrievedChunk(hit.fileId(), rs.getString("name"),
                            rs.getObject("collection_id", UUID.class), hit.chunkIndex(), rs.getInt("start_char"),
                            rs.getInt("end_char"), rs.getString("content"), hit.score(),
                            metadata(rs.getString("metadata"))));
                });
        return found;
    }

    private static Map<String, String> metadata(String json) {
        Map<String, String> values = new TreeMap<>();
        JSON.readTree(json).properties().forEach(entry -> values.put(entry.getKey(), entry.getValue().asString()));
        return values;
    }
}
