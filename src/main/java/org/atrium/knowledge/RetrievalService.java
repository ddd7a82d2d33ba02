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

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Retrieval: the chunks nearest to a query among the collections the caller may read. Collections are grouped by
 * embedding space; the query is embedded once per space with that space's model (and the credential of the
 * collection's owner), and each space is searched only with its own vectors, so models never mix.
 */
@Service
public class RetrievalService {

    private static final Logger log = LoggerFactory.getLogger(RetrievalService.class);

    /** The most chunks one request may ask for. */
    public static final int MAX_TOP_K = 100;

    private final CollectionService collections;
    private final EmbeddingTargets targets;
    private final VectorIndex index;
    private final JdbcClient jdbc;

    RetrievalService(CollectionService collections, EmbeddingTargets targets, VectorIndex index, JdbcClient jdbc) {
        this.collections = collections;
        this.targets = targets;
        this.index = index;
        this.jdbc = jdbc;
    }

    /**
     * @param state         the caller's effective state
     * @param query         what to look for
     * @param collectionIds collections to search; each must be readable by the caller
     * @param topK          how many chunks to return, 1 to {@value #MAX_TOP_K}
     * @return the best chunks across the collections, and the collections that could not be searched
     * @throws AtriumException {@code collection_not_found} (404), {@code validation_failed} (400),
     *                         {@code embedding_failed} (502) when the provider refused or failed to embed the query
     */
    public Retrieval retrieve(EffectiveState state, String query, List<UUID> collectionIds, int topK) {
        if (query.isBlank()) {
            throw AtriumException.invalidField("query", "must not be blank");
        }
        if (collectionIds.isEmpty()) {
            throw AtriumException.invalidField("collectionIds", "must name at least one collection");
        }
        if (topK < 1 || topK > MAX_TOP_K) {
            throw AtriumException.invalidField("topK", "must be between 1 and " + MAX_TOP_K);
        }
        long started = System.nanoTime();
        Map<Integer, List<CollectionStore.Row>> bySpace = new LinkedHashMap<>();
        Map<Integer, EmbeddingTargets.Ready> readyBySpace = new LinkedHashMap<>();
        List<Retrieval.Skipped> skipped = new ArrayList<>();
        for (UUID collectionId : collectionIds.stream().distinct().toList()) {
            CollectionStore.Row row = collections.requireAccess(state, collectionId, Access.READ);
            switch (targets.resolve(row.ownerUserId(), row.ownerGroupId())) {
                case EmbeddingTargets.Ready current -> {
                    EmbeddingTargets.Ready ready = serving(collectionId, current);
                    bySpace.computeIfAbsent(ready.spaceId(), s -> new ArrayList<>()).add(row);
                    readyBySpace.putIfAbsent(ready.spaceId(), ready);
                }
                case EmbeddingTargets.Unavailable unavailable ->
                        skipped.add(new Retrieval.Skipped(collectionId, unavailable.code(), unavailable.reason()));
            }
        }
        List<RetrievedChunk> found = new ArrayList<>();
        for (var entry : bySpace.entrySet()) {
            EmbeddingTargets.Ready ready = readyBySpace.get(entry.getKey());
            Optional<Integer> dimensions = jdbc.sql("select dimensions from embedding_spaces where id = :s")
                    .param("s", ready.spaceId()).query(Integer.class).optional();
            List<UUID> ids = entry.getValue().stream().map(CollectionStore.Row::id).toList();
            if (dimensions.isEmpty()) {
                continue;
            }
            float[] vector = embed(ready, query);
            List<VectorIndex.Hit> hits = index.search(ready.spaceId(), dimensions.get(), vector, ids, topK);
            found.addAll(chunks(hits, ready.spaceId(), ids));
        }
        found.sort(Comparator.comparingDouble(RetrievedChunk::score).reversed());
        List<RetrievedChunk> best = found.size() > topK ? found.subList(0, topK) : found;
        LogEvents.info(log, "knowledge.retrieved").addKeyValue("collections", collectionIds.size())
                .addKeyValue("chunks", best.size()).addKeyValue("index", index.kind())
                .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        return new Retrieval(best, skipped);
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

    /** Reads the hits' text, keeping only chunks whose file is still held by one of the collections. */
    private List<RetrievedChunk> chunks(List<VectorIndex.Hit> hits, int spaceId, List<UUID> collectionIds) {
        if (hits.isEmpty()) {
            return List.of();
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        hits.forEach(hit -> scores.put(hit.fileId() + ":" + hit.chunkIndex(), hit.score()));
        return jdbc.sql("""
                        select distinct on (c.file_id, c.chunk_index) c.file_id, c.chunk_index, c.start_char,
                               c.end_char, c.content, f.name, cf.collection_id
                        from unnest(:files, :indexes) as h(file_id, chunk_index)
                        join chunks c on c.file_id = h.file_id and c.space_id = :space
                                     and c.chunk_index = h.chunk_index
                        join files f on f.id = c.file_id
                        join collection_files cf on cf.file_id = c.file_id and cf.collection_id = any(:collections)
                        join collections col on col.id = cf.collection_id
                                             and (col.space_id = c.space_id or col.serving_space_id = c.space_id)
                        order by c.file_id, c.chunk_index, cf.collection_id""")
                .param("files", hits.stream().map(VectorIndex.Hit::fileId).toArray(UUID[]::new))
                .param("indexes", hits.stream().map(VectorIndex.Hit::chunkIndex).toArray(Integer[]::new))
                .param("collections", collectionIds.toArray(UUID[]::new)).param("space", spaceId)
                .query((rs, row) -> {
                    UUID fileId = rs.getObject("file_id", UUID.class);
                    int chunkIndex = rs.getInt("chunk_index");
                    return new RetrievedChunk(fileId, rs.getString("name"), rs.getObject("collection_id", UUID.class),
                            chunkIndex, rs.getInt("start_char"), rs.getInt("end_char"), rs.getString("content"),
                            scores.get(fileId + ":" + chunkIndex));
                })
                .list();
    }
}
