package org.atrium.knowledge;

import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.UntrustedText;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

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

    /** The constant of reciprocal rank fusion: damps the weight of the very first ranks. */
    static final int RRF_K = 60;
    /** How deep each ranking is read for the first hybrid results (see {@link #hybrid}). */
    static final int HYBRID_WINDOW = 100;
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
    private final JsonMapper json;
    private final Map<Integer, Integer> knownDimensions = new ConcurrentHashMap<>();

    RetrievalService(CollectionService collections, EmbeddingTargets targets, VectorIndex index,
                     KeywordSearch keywords, JdbcClient jdbc, JsonMapper json) {
        this.collections = collections;
        this.targets = targets;
        this.index = index;
        this.keywords = keywords;
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * One request's work in progress: the query's vector per space (embedded once, whatever the rankings that use it)
     * and where the time went, for the log event, so that operators see which step a slow retrieval spent its time
     * in. Confined to the request's thread.
     */
    private static final class Work {
        private final Map<Integer, float[]> vectors = new HashMap<>();
        private long embedNanos;
        private long searchNanos;
        private long readNanos;
    }

    /**
     * Chunks best first, and whether the list goes on beyond them.
     */
    private record Ranking(List<Ranked> ranked, boolean more) {
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
        Map<Integer, List<CollectionStore.Searchable>> bySpace = new LinkedHashMap<>();
        Map<Integer, EmbeddingTargets.Ready> readyBySpace = new LinkedHashMap<>();
        List<Retrieval.Skipped> skipped = new ArrayList<>();
        // Access, grants and serving spaces of every collection in one statement; the target once per owner.
        Map<UUID, EmbeddingTargets.Target> byOwner = new HashMap<>();
        for (CollectionStore.Searchable collection : collections.requireReadable(state,
                request.collectionIds().stream().distinct().toList())) {
            CollectionStore.Row row = collection.row();
            EmbeddingTargets.Target target = byOwner.computeIfAbsent(
                    row.ownerGroupId() != null ? row.ownerGroupId() : row.ownerUserId(),
                    owner -> targets.resolve(row.ownerUserId(), row.ownerGroupId()));
            switch (target) {
                case EmbeddingTargets.Ready current -> {
                    EmbeddingTargets.Ready ready = serving(collection, current);
                    bySpace.computeIfAbsent(ready.spaceId(), s -> new ArrayList<>()).add(collection);
                    readyBySpace.putIfAbsent(ready.spaceId(), ready);
                }
                case EmbeddingTargets.Unavailable unavailable ->
                        skipped.add(new Retrieval.Skipped(row.id(), unavailable.code(), unavailable.reason()));
            }
        }
        List<UUID> searched = bySpace.values().stream().flatMap(List::stream).map(c -> c.row().id()).toList();
        long accessNanos = System.nanoTime() - started;
        Work work = new Work();
        Retrieval result;
        if (request.groupBy() == RetrievalQuery.GroupBy.FILE) {
            // File groups change with depth: every page reads the rankings to the same depth.
            result = filePage(request, ranked(request, bySpace, readyBySpace, work, MAX_CHUNK_DEPTH), searched,
                    skipped, work);
        } else if (request.mode() != RetrievalQuery.Mode.HYBRID) {
            // A plain ranking keeps its order at any depth: read just past the page, to know whether one follows.
            result = chunkPage(request, new Ranking(ranked(request, bySpace, readyBySpace, work,
                    request.offset() + request.topK() + 1), false), searched, skipped, work);
        } else {
            result = chunkPage(request, hybrid(request, bySpace, readyBySpace, work), searched, skipped, work);
        }
        LogEvents.info(log, "knowledge.retrieved").addKeyValue("collections", request.collectionIds().size())
                .addKeyValue("mode", result.mode()).addKeyValue("chunks", result.chunks().size())
                .addKeyValue("files", result.files().size()).addKeyValue("index", index.kind())
                .addKeyValue("duration_ms", LogEvents.millis(System.nanoTime() - started))
                .addKeyValue("access_ms", LogEvents.millis(accessNanos))
                .addKeyValue("embed_ms", LogEvents.millis(work.embedNanos))
                .addKeyValue("search_ms", LogEvents.millis(work.searchNanos))
                .addKeyValue("read_ms", LogEvents.millis(work.readNanos)).log();
        return result;
    }

    /**
     * The hybrid ranking a page is a slice of. Its first {@value #HYBRID_WINDOW} results are the fusion of each
     * ranking's first {@value #HYBRID_WINDOW}; the results after them are the fusion of each ranking's first
     * {@code MAX_DEPTH + 1}, leaving out those already placed. A page within the first {@value #HYBRID_WINDOW}
     * results reads only that much of each ranking; a deeper one reads the rest too, and computes the first part
     * from the first {@value #HYBRID_WINDOW} of what it read, which is what a shallower read returns (keyword and
     * exact rankings are sorted totally; an HNSW walk keeps the same candidate list at any depth). So pages of any
     * size and offset are slices of one list: paging never repeats or skips a result while the data does not change.
     */
    private Ranking hybrid(RetrievalQuery request, Map<Integer, List<CollectionStore.Searchable>> bySpace,
                                Map<Integer, EmbeddingTargets.Ready> readyBySpace, Work work) {
        boolean deep = request.offset() + request.topK() > HYBRID_WINDOW;
        List<List<Ranked>> rankings = rankings(request, bySpace, readyBySpace, work,
                deep ? RetrievalQuery.MAX_DEPTH + 1 : HYBRID_WINDOW + 1);
        List<Ranked> first = fused(rankings.stream().map(r -> r.subList(0, Math.min(r.size(), HYBRID_WINDOW)))
                .toList());
        first = new ArrayList<>(first.subList(0, Math.min(first.size(), HYBRID_WINDOW)));
        boolean more = rankings.stream().anyMatch(r -> r.size() > HYBRID_WINDOW);
        if (!deep) {
            // When a ranking holds more than the window, the list goes on after the first part (it may hold only
            // results placed already, rarely: then the next page is empty).
            return new Ranking(first, more);
        }
        Set<Ranked> placed = new HashSet<>(first.stream().map(RetrievalService::key).toList());
        for (Ranked hit : fused(rankings)) {
            if (!placed.contains(key(hit))) {
                first.add(hit);
            }
        }
        return new Ranking(first, false);
    }

    /** The ranking of the request's mode (several merged by score, or fused), each read to {@code depth}. */
    private List<Ranked> ranked(RetrievalQuery request, Map<Integer, List<CollectionStore.Searchable>> bySpace,
                                Map<Integer, EmbeddingTargets.Ready> readyBySpace, Work work,
                                int depth) {
        List<List<Ranked>> rankings = rankings(request, bySpace, readyBySpace, work, depth);
        return request.mode() == RetrievalQuery.Mode.HYBRID ? fused(rankings) : merged(rankings);
    }

    /**
     * Every ranking the request asks for: per space, by vector and/or by keywords. A hybrid request runs its keyword
     * searches (one space after the other) on one virtual thread of their own while the query is embedded and the
     * vectors searched: the two share nothing but the database, and the keyword search (PostgreSQL's work alone) would
     * otherwise wait for the embedding provider and the vector walk. One thread, so a request holds at most two of
     * the pool's connections at once, whatever the number of spaces it searches.
     */
    private List<List<Ranked>> rankings(RetrievalQuery request,
                                        Map<Integer, List<CollectionStore.Searchable>> bySpace,
                                        Map<Integer, EmbeddingTargets.Ready> readyBySpace,
                                        Work work, int depth) {
        Map<Integer, Integer> dimensionsBySpace = new LinkedHashMap<>();
        bySpace.keySet().forEach(space -> dimensions(space).ifPresent(d -> dimensionsBySpace.put(space, d)));
        FutureTask<List<List<Ranked>>> keywordRankings = null;
        if (request.mode() != RetrievalQuery.Mode.VECTOR) {
            keywordRankings = new FutureTask<>(() -> dimensionsBySpace.entrySet().stream().map(space ->
                    keywordRanking(request, bySpace.get(space.getKey()), space.getKey(), space.getValue(), depth))
                    .toList());
            if (request.mode() == RetrievalQuery.Mode.HYBRID) {
                Thread.ofVirtual().name("retrieval-keywords").start(keywordRankings);
            }
        }
        List<List<Ranked>> rankings = new ArrayList<>();
        try {
            if (request.mode() != RetrievalQuery.Mode.KEYWORD) {
                for (var entry : dimensionsBySpace.entrySet()) {
                    int spaceId = entry.getKey();
                    float[] vector = work.vectors.get(spaceId);
                    if (vector == null) {
                        long started = System.nanoTime();
                        vector = embed(readyBySpace.get(spaceId), request.query());
                        work.embedNanos += System.nanoTime() - started;
                        work.vectors.put(spaceId, vector);
                    }
                    SearchScope scope = new SearchScope(spaceId, entry.getValue(), bySpace.get(spaceId).stream()
                            .map(c -> c.row().id()).toList(), request.metadata(), request.fileIds());
                    long started = System.nanoTime();
                    rankings.add(ranked(index.search(scope, vector, depth), spaceId));
                    work.searchNanos += System.nanoTime() - started;
                }
            }
            if (keywordRankings != null) {
                // Run here when no thread has taken it yet; otherwise only the wait counts as search time.
                long started = System.nanoTime();
                keywordRankings.run();
                rankings.addAll(joined(keywordRankings));
                work.searchNanos += System.nanoTime() - started;
            }
        } finally {
            if (keywordRankings != null) {
                // A request that failed (its query could not be embedded) leaves no keyword search waiting to start.
                keywordRankings.cancel(false);
            }
        }
        return rankings;
    }

    /**
     * One space's keyword ranking, whatever the languages of its collections: a file held by collections of two
     * languages must not count twice in fusion.
     */
    private List<Ranked> keywordRanking(RetrievalQuery request, List<CollectionStore.Searchable> collections,
                                        int spaceId, int dimensions, int depth) {
        Map<String, List<UUID>> byLanguage = new TreeMap<>();
        collections.forEach(c -> byLanguage.computeIfAbsent(c.row().language(), l -> new ArrayList<>())
                .add(c.row().id()));
        List<List<Ranked>> rankedByLanguage = new ArrayList<>();
        for (var language : byLanguage.entrySet()) {
            SearchScope scope = new SearchScope(spaceId, dimensions, language.getValue(), request.metadata(),
                    request.fileIds());
            rankedByLanguage.add(ranked(keywords.search(scope, language.getKey(), request.query(), depth), spaceId));
        }
        List<Ranked> merged = merged(rankedByLanguage);
        return merged.subList(0, Math.min(merged.size(), depth));
    }

    /** The result of a task that has run, its failure rethrown as it was. */
    private static <T> T joined(FutureTask<T> task) {
        try {
            return task.get();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the keyword search", interrupted);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(failed.getCause());
        }
    }

    /** A space's vector size: fixed once its first vector is stored, so it is read once per replica. */
    private Optional<Integer> dimensions(int spaceId) {
        Integer known = knownDimensions.get(spaceId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Integer> read = jdbc.sql("select dimensions from embedding_spaces where id = :s")
                .param("s", spaceId).query(Integer.class).optional();
        read.ifPresent(d -> knownDimensions.put(spaceId, d));
        return read;
    }

    private static void validate(RetrievalQuery request) {
        if (request.query().isBlank()) {
            throw AtriumException.invalidField("query", "must not be blank");
        }
        if (request.query().length() > RetrievalQuery.MAX_QUERY_LENGTH) {
            throw AtriumException.invalidField("query", "must be at most " + RetrievalQuery.MAX_QUERY_LENGTH
                    + " characters");
        }
        UntrustedText.problem(request.query()).ifPresent(problem -> {
            throw AtriumException.invalidField("query", problem);
        });
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
        if (request.fileIds().size() > RetrievalQuery.MAX_FILES) {
            throw AtriumException.invalidField("fileIds", "may name at most " + RetrievalQuery.MAX_FILES + " files");
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

    private Retrieval chunkPage(RetrievalQuery request, Ranking ranking, List<UUID> searched,
                                List<Retrieval.Skipped> skipped, Work work) {
        List<Ranked> ranked = ranking.ranked();
        List<Ranked> page = slice(ranked, request.offset(), request.topK());
        Integer next = ranking.more() || ranked.size() > request.offset() + request.topK()
                ? request.offset() + request.topK() : null;
        Map<Ranked, RetrievedChunk> read = read(page, searched, work);
        List<RetrievedChunk> chunks = page.stream().map(hit -> read.get(key(hit))).filter(Objects::nonNull).toList();
        return new Retrieval(modeName(request), chunks, List.of(), next, skipped);
    }

    private Retrieval filePage(RetrievalQuery request, List<Ranked> ranked, List<UUID> searched,
                               List<Retrieval.Skipped> skipped, Work work) {
        Map<UUID, List<Ranked>> byFile = new LinkedHashMap<>();
        for (Ranked hit : ranked) {
            List<Ranked> best = byFile.computeIfAbsent(hit.fileId(), f -> new ArrayList<>());
            if (best.size() < request.chunksPerFile()) {
                best.add(hit);
            }
        }
        List<List<Ranked>> files = slice(new ArrayList<>(byFile.values()), request.offset(), request.topK());
        Map<Ranked, RetrievedChunk> read = read(files.stream().flatMap(List::stream).toList(), searched, work);
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
    private EmbeddingTargets.Ready serving(CollectionStore.Searchable collection, EmbeddingTargets.Ready current) {
        Integer servingId = collection.servingSpaceId();
        if (servingId == null || servingId == current.spaceId()) {
            return current;
        }
        String connection = Objects.requireNonNull(collection.servingConnection());
        String model = Objects.requireNonNull(collection.servingModel());
        if (connection.equals(current.connection())) {
            return new EmbeddingTargets.Ready(servingId, connection, model, current.credentialId());
        }
        if (targets.needsNoCredential(connection)) {
            return new EmbeddingTargets.Ready(servingId, connection, model, null);
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
    private Map<Ranked, RetrievedChunk> read(List<Ranked> hits, List<UUID> collectionIds, Work work) {
        if (hits.isEmpty()) {
            return Map.of();
        }
        long started = System.nanoTime();
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
        work.readNanos += System.nanoTime() - started;
        return found;
    }

    private Map<String, String> metadata(String text) {
        Map<String, String> values = new TreeMap<>();
        json.readTree(text).properties().forEach(entry -> values.put(entry.getKey(), entry.getValue().asString()));
        return values;
    }
}
