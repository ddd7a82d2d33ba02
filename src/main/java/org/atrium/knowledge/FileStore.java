package org.atrium.knowledge;

import org.atrium.platform.AtriumException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code files}, {@code collection_files}, {@code file_indexes} and {@code chunks}. */
@Repository
class FileStore {

    /** A file row. */
    record FileRow(UUID id, String name, String mediaType, long sizeBytes, String sha256, String storageKey,
                   @Nullable UUID uploadedBy, java.time.Instant createdAt, Map<String, String> metadata) {
    }

    /** A file index as the ingestion job sees it. */
    record IndexRow(UUID fileId, int spaceId, long generation, IngestionStatus status, String connection,
                    String model, @Nullable Integer dimensions) {
    }

    /** One chunk to write. */
    record NewChunk(int index, String content, int startChar, int endChar, int tokenCount, float[] embedding) {
    }

    private static final String INGESTION_COLUMNS = """
            s.connection, s.model, fi.status, fi.chunks_done, fi.chunks_total, fi.failure_code, fi.failure_reason,
            fi.credential_id, fi.updated_at""";

    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {
    };

    /**
     * How a listing's status filter reads: a file's status in the collection ({@code failed} when it has no index in
     * the collection's space yet, as the listing shows it) is one of {@code :statuses}, or no filter is given.
     */
    private static final String STATUS_FILTER = "(cast(:statuses as text[]) is null"
            + " or coalesce(fi.status, 'failed') = any(cast(:statuses as text[])))";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    FileStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insertFile(UUID id, String name, String mediaType, long size, String sha256, String storageKey,
                    UUID uploadedBy, Map<String, String> metadata) {
        jdbc.sql("""
                        insert into files (id, name, media_type, size_bytes, sha256, storage_key, uploaded_by, metadata)
                        values (:id, :name, :type, :size, :sha, :key, :by, cast(:metadata as jsonb))""")
                .param("id", id).param("name", name).param("type", mediaType).param("size", size)
                .param("sha", sha256).param("key", storageKey).param("by", uploadedBy)
                .param("metadata", json.writeValueAsString(metadata)).update();
    }

    /** Replaces a file's metadata. */
    void replaceMetadata(UUID fileId, Map<String, String> metadata) {
        jdbc.sql("update files set metadata = cast(:metadata as jsonb) where id = :id")
                .param("metadata", json.writeValueAsString(metadata)).param("id", fileId).update();
    }

    /** Locks a file row for a change of its own columns (after the caller's account: lock order). */
    Optional<FileRow> lockForUpdate(UUID fileId) {
        return jdbc.sql("select * from files where id = :id for no key update").param("id", fileId)
                .query(this::file).optional();
    }

    /**
     * Locks a file row before its removal from a collection: files are locked after collections and before links
     * (the lock order in docs/ARCHITECTURE.md), so the removal trigger's own lock on the file finds it held already.
     */
    void lockForRemoval(UUID fileId) {
        jdbc.sql("select id from files where id = :id for update").param("id", fileId).query(UUID.class).list();
    }

    Optional<FileRow> find(UUID fileId) {
        return jdbc.sql("select * from files where id = :id").param("id", fileId).query(this::file).optional();
    }

    /**
     * One passage of a file's extracted text: the chunk at that position whose span is the one asked for when an
     * index of another embedding model cut it differently, else the newest index's.
     */
    Optional<Passage> passage(UUID fileId, String fileName, int chunkIndex, int startChar, int endChar) {
        return jdbc.sql("""
                        select start_char, end_char, content from chunks where file_id = :f and chunk_index = :i
                        order by (start_char = :s and end_char = :e) desc, space_id desc limit 1""")
                .param("f", fileId).param("i", chunkIndex).param("s", startChar).param("e", endChar)
                .query((rs, row) -> new Passage(fileId, fileName, chunkIndex, rs.getInt("start_char"),
                        rs.getInt("end_char"), rs.getString("content")))
                .optional();
    }

    /** @return true when the file is in a collection the caller may read, or the caller uploaded it */
    boolean readable(UUID fileId, boolean admin, UUID user, UUID[] groups) {
        return jdbc.sql("select exists (select 1 from files f where f.id = :file and (:admin or f.uploaded_by = :user"
                        + " or exists (select 1 from collection_files cf join collections c on c.id = cf.collection_id"
                        + " where cf.file_id = f.id and " + CollectionStore.READABLE + ")))")
                .param("file", fileId).param("admin", admin).param("user", user).param("groups", groups)
                .query(Boolean.class).single();
    }

    /** The names of those of the files the caller may read, by id; in one statement, whatever their number. */
    Map<UUID, String> readableNames(Collection<UUID> fileIds, boolean admin, UUID user, UUID[] groups) {
        Map<UUID, String> names = new HashMap<>();
        jdbc.sql("select f.id, f.name from files f where f.id = any(:files) and (:admin or f.uploaded_by = :user"
                        + " or exists (select 1 from collection_files cf join collections c on c.id = cf.collection_id"
                        + " where cf.file_id = f.id and " + CollectionStore.READABLE + "))")
                .param("files", fileIds.toArray(UUID[]::new)).param("admin", admin).param("user", user)
                .param("groups", groups)
                .query(rs -> {
                    names.put(rs.getObject("id", UUID.class), rs.getString("name"));
                });
        return names;
    }

    /** The collections holding a file that the caller may read, in id order, at most {@code limit}. */
    List<UUID> readableCollectionsOf(UUID fileId, boolean admin, UUID user, UUID[] groups, int limit) {
        return jdbc.sql("select cf.collection_id from collection_files cf join collections c on c.id = cf.collection_id"
                        + " where cf.file_id = :file and " + CollectionStore.READABLE
                        + " order by cf.collection_id limit :limit")
                .param("file", fileId).param("admin", admin).param("user", user).param("groups", groups)
                .param("limit", limit).query(UUID.class).list();
    }

    /**
     * @return true when the link is new
     * @throws AtriumException {@code collection_not_found} or {@code file_not_found} (404) when the collection or the
     *                         file was deleted by a transaction that committed after the caller checked it
     */
    boolean link(UUID collectionId, UUID fileId, UUID addedBy) {
        try {
            return jdbc.sql("""
                            insert into collection_files (collection_id, file_id, added_by) values (:c, :f, :by)
                            on conflict do nothing""")
                    .param("c", collectionId).param("f", fileId).param("by", addedBy).update() > 0;
        } catch (DataIntegrityViolationException deletedMeanwhile) {
            // Only the two foreign keys can fail here; the caller saw both rows a moment ago.
            String message = String.valueOf(deletedMeanwhile.getMessage());
            throw message.contains("collection_files_file_id_fkey")
                    ? AtriumException.notFound("file_not_found", "No such file.")
                    : AtriumException.notFound("collection_not_found", "No such collection.");
        }
    }

    /** Removes a link; the database then deletes the file or its unused indexes (trigger in V4). */
    boolean unlink(UUID collectionId, UUID fileId) {
        return jdbc.sql("delete from collection_files where collection_id = :c and file_id = :f")
                .param("c", collectionId).param("f", fileId).update() > 0;
    }

    /** Deletes a file everywhere in the database; its bytes are queued for deletion by a trigger. */
    boolean deleteFile(UUID fileId) {
        return jdbc.sql("delete from files where id = :id").param("id", fileId).update() > 0;
    }

    List<KnowledgeFile.Ingestion> ingestions(UUID fileId) {
        return jdbc.sql("select " + INGESTION_COLUMNS + " from file_indexes fi join embedding_spaces s"
                        + " on s.id = fi.space_id where fi.file_id = :f order by s.connection, s.model")
                .param("f", fileId).query(FileStore::ingestion).list();
    }

    /**
     * @param statuses the statuses counted ({@code null}: all)
     * @return how many of the collection's files have one of them
     */
    long countInCollection(UUID collectionId, String @Nullable [] statuses) {
        if (statuses == null) {
            return jdbc.sql("select count(*) from collection_files where collection_id = :c")
                    .param("c", collectionId).query(Long.class).single();
        }
        return jdbc.sql("""
                        select count(*) from collection_files cf
                        join collections c on c.id = cf.collection_id
                        left join file_indexes fi on fi.file_id = cf.file_id and fi.space_id = c.space_id
                        where cf.collection_id = :c and """ + STATUS_FILTER)
                .param("c", collectionId).param("statuses", statuses).query(Long.class).single();
    }

    /**
     * A page of a collection's files with their ingestion into the collection's space. A collection with no space
     * (nobody chose a model) shows each file failed with the collection's embedding problem.
     *
     * @param statuses only files with one of these statuses ({@code null}: all)
     */
    List<CollectionFile> listInCollection(UUID collectionId, String @Nullable [] statuses, int offset, int limit) {
        return inCollection(collectionId, null, statuses, offset, limit);
    }

    /** One file as listed in a collection, if the collection holds it. */
    Optional<CollectionFile> inCollection(UUID collectionId, UUID fileId) {
        return inCollection(collectionId, fileId, null, 0, 1).stream().findFirst();
    }

    private List<CollectionFile> inCollection(UUID collectionId, @Nullable UUID fileId, String @Nullable [] statuses,
                                              int offset, int limit) {
        return jdbc.sql("""
                        select f.id, cf.collection_id, f.name, f.media_type, f.size_bytes, cf.added_at, f.metadata,
                               coalesce(fi.status, 'failed') as status, coalesce(fi.chunks_done, 0) as chunks_done,
                               fi.chunks_total,
                               case when fi.file_id is null then coalesce(c.embedding_problem_code,
                                    'embedding_pending') else fi.failure_code end as failure_code,
                               case when fi.file_id is null then coalesce(c.embedding_problem,
                                    'Waiting for the collection''s embedding model to be resolved.')
                                    else fi.failure_reason end as failure_reason
                        from collection_files cf
                        join files f on f.id = cf.file_id
                        join collections c on c.id = cf.collection_id
                        left join file_indexes fi on fi.file_id = f.id and fi.space_id = c.space_id
                        where cf.collection_id = :c and (cast(:file as uuid) is null or cf.file_id = :file)
                          and """ + STATUS_FILTER + """
                        order by cf.added_at, f.id
                        offset :offset limit :limit""")
                .param("c", collectionId).param("file", fileId).param("statuses", statuses)
                .param("offset", offset).param("limit", limit)
                .query((rs, row) -> new CollectionFile(rs.getObject("id", UUID.class),
                        rs.getObject("collection_id", UUID.class), rs.getString("name"), rs.getString("media_type"),
                        rs.getLong("size_bytes"), rs.getTimestamp("added_at").toInstant(),
                        IngestionStatus.fromSql(rs.getString("status")), rs.getInt("chunks_done"),
                        (Integer) rs.getObject("chunks_total"), rs.getString("failure_code"),
                        rs.getString("failure_reason"), metadata(rs)))
                .list();
    }

    /** The owners of the collections that hold a file and search the given space, oldest link first. */
    List<Owner> ownersInSpace(UUID fileId, int spaceId) {
        return jdbc.sql("""
                        select c.owner_user_id, c.owner_group_id from collection_files cf
                        join collections c on c.id = cf.collection_id
                        where cf.file_id = :f and c.space_id = :s order by cf.added_at""")
                .param("f", fileId).param("s", spaceId)
                .query((rs, row) -> new Owner(rs.getObject("owner_user_id", UUID.class),
                        rs.getObject("owner_group_id", UUID.class))).list();
    }

    /** A collection's owner: a user or a group. */
    record Owner(@Nullable UUID userId, @Nullable UUID groupId) {
    }

    /** The status of one file index, for live events. */
    Optional<FileEvent> event(UUID fileId, int spaceId) {
        return jdbc.sql("""
                        select fi.status, fi.chunks_done, fi.chunks_total, fi.failure_code, fi.failure_reason,
                               array(select cf.collection_id from collection_files cf join collections c
                                     on c.id = cf.collection_id where cf.file_id = fi.file_id
                                     and c.space_id = fi.space_id) as collections
                        from file_indexes fi where fi.file_id = :f and fi.space_id = :s""")
                .param("f", fileId).param("s", spaceId)
                .query((rs, row) -> new FileEvent(fileId, Arrays.stream(
                        (Object[]) rs.getArray("collections").getArray()).map(UUID.class::cast).toList(),
                        IngestionStatus.fromSql(rs.getString("status")), rs.getInt("chunks_done"),
                        (Integer) rs.getObject("chunks_total"), rs.getString("failure_code"),
                        rs.getString("failure_reason"))).optional();
    }

    /**
     * Creates the file's index in a space unless it exists.
     *
     * @return the new index's generation, or empty when it existed already
     */
    Optional<Long> createIndex(UUID fileId, int spaceId, IngestionStatus status, @Nullable String failureCode,
                               @Nullable String failureReason) {
        return jdbc.sql("""
                        insert into file_indexes (file_id, space_id, generation, status, failure_code, failure_reason)
                        values (:f, :s, nextval('file_index_generations'), :status, :code, :reason)
                        on conflict (file_id, space_id) do nothing
                        returning generation""")
                .param("f", fileId).param("s", spaceId).param("status", status.sql()).param("code", failureCode)
                .param("reason", failureReason).query(Long.class).optional();
    }

    /**
     * Starts an index over with a new generation (a job still running for the old one stops at its next write) and
     * drops its chunks.
     *
     * @return the new generation, or empty when the index does not exist
     */
    Optional<Long> restartIndex(UUID fileId, int spaceId, IngestionStatus status, @Nullable String failureCode,
                                @Nullable String failureReason) {
        // Lock the index row first, in the same order as a job's fenced writes, then drop what the old generation
        // left: its chunks and its job if still waiting (it would only find itself fenced off).
        if (jdbc.sql("select 1 from file_indexes where file_id = :f and space_id = :s for update")
                .param("f", fileId).param("s", spaceId).query(Integer.class).optional().isEmpty()) {
            return Optional.empty();
        }
        jdbc.sql("delete from chunks where file_id = :f and space_id = :s").param("f", fileId).param("s", spaceId)
                .update();
        jdbc.sql("delete from scheduled_tasks t using file_indexes fi"
                        + " where fi.file_id = :f and fi.space_id = :s and t.task_name = 'knowledge-ingest'"
                        + " and t.task_instance = fi.file_id || ':' || fi.space_id || ':' || fi.generation"
                        + " and not t.picked")
                .param("f", fileId).param("s", spaceId).update();
        return jdbc.sql("""
                        update file_indexes set generation = nextval('file_index_generations'), status = :status,
                               chunks_done = 0, chunks_total = null, failure_code = :code, failure_reason = :reason,
                               credential_id = null, updated_at = now()
                        where file_id = :f and space_id = :s
                        returning generation""")
                .param("f", fileId).param("s", spaceId).param("status", status.sql()).param("code", failureCode)
                .param("reason", failureReason).query(Long.class).optional();
    }

    /**
     * Locks the index row for a job's write, if the job's generation is still current: the fence that keeps a job
     * from writing after its file was deleted or its index restarted. Call inside the write's transaction.
     */
    Optional<IndexRow> lockCurrent(UUID fileId, int spaceId, long generation) {
        return jdbc.sql("""
                        select fi.file_id, fi.space_id, fi.generation, fi.status, s.connection, s.model, s.dimensions
                        from file_indexes fi join embedding_spaces s on s.id = fi.space_id
                        where fi.file_id = :f and fi.space_id = :s and fi.generation = :g
                        for update of fi""")
                .param("f", fileId).param("s", spaceId).param("g", generation)
                .query((rs, row) -> new IndexRow(rs.getObject("file_id", UUID.class), rs.getInt("space_id"),
                        rs.getLong("generation"), IngestionStatus.fromSql(rs.getString("status")),
                        rs.getString("connection"), rs.getString("model"), (Integer) rs.getObject("dimensions")))
                .optional();
    }

    void setStatus(UUID fileId, int spaceId, IngestionStatus status, @Nullable Integer chunksTotal,
                   @Nullable UUID credentialId) {
        jdbc.sql("""
                        update file_indexes set status = :status, chunks_total = coalesce(:total, chunks_total),
                               credential_id = coalesce(:credential, credential_id), failure_code = null,
                               failure_reason = null, updated_at = now()
                        where file_id = :f and space_id = :s""")
                .param("status", status.sql()).param("total", chunksTotal).param("credential", credentialId)
                .param("f", fileId).param("s", spaceId).update();
    }

    void setFailed(UUID fileId, int spaceId, String code, String reason) {
        jdbc.sql("""
                        update file_indexes set status = 'failed', failure_code = :code, failure_reason = :reason,
                               updated_at = now()
                        where file_id = :f and space_id = :s""")
                .param("code", code).param("reason", reason).param("f", fileId).param("s", spaceId).update();
    }

    /** Says on a still-running index why it is waiting (a provider failed; the job will be tried again). */
    void noteRetry(UUID fileId, int spaceId, String reason) {
        jdbc.sql("update file_indexes set failure_reason = :reason, updated_at = now()"
                        + " where file_id = :f and space_id = :s")
                .param("reason", reason).param("f", fileId).param("s", spaceId).update();
    }

    /** The chunk indexes already written for a file in a space (a resumed job skips them). */
    List<Integer> writtenChunks(UUID fileId, int spaceId) {
        return jdbc.sql("select chunk_index from chunks where file_id = :f and space_id = :s order by chunk_index")
                .param("f", fileId).param("s", spaceId).query(Integer.class).list();
    }

    /** Drops chunks past the end (left by an earlier extraction with a different result). */
    void dropChunksFrom(UUID fileId, int spaceId, int fromIndex) {
        jdbc.sql("delete from chunks where file_id = :f and space_id = :s and chunk_index >= :from")
                .param("f", fileId).param("s", spaceId).param("from", fromIndex).update();
    }

    /**
     * Indexes again, in the language each file's index should now have, the keywords of the chunks of a collection's
     * files; one short transaction per batch of files (autocommit statements), so ingestion and deletion are never
     * held up for long. A file deleted meanwhile simply has no chunks left to update.
     */
    void relanguage(UUID collectionId) {
        List<UUID> fileIds = jdbc.sql("select file_id from collection_files where collection_id = :c order by file_id")
                .param("c", collectionId).query(UUID.class).list();
        for (int from = 0; from < fileIds.size(); from += 100) {
            UUID[] batch = fileIds.subList(from, Math.min(fileIds.size(), from + 100)).toArray(UUID[]::new);
            jdbc.sql("""
                            with chosen as (
                                select fi.file_id, fi.space_id, coalesce((
                                    select c.language from collection_files cf
                                    join collections c on c.id = cf.collection_id
                                    where cf.file_id = fi.file_id
                                      and (c.space_id = fi.space_id or c.serving_space_id = fi.space_id)
                                    order by cf.added_at, c.id limit 1), fi.language) as language
                                from file_indexes fi where fi.file_id = any(:files)),
                            changed as (
                                update file_indexes fi set language = chosen.language from chosen
                                where fi.file_id = chosen.file_id and fi.space_id = chosen.space_id
                                  and fi.language <> chosen.language
                                returning fi.file_id, fi.space_id, fi.language)
                            update chunks c set terms = to_tsvector(changed.language, c.content) from changed
                            where c.file_id = changed.file_id and c.space_id = changed.space_id""")
                    .param("files", batch).update();
        }
    }

    /**
     * Chooses the language a file's chunks are indexed with for keyword search: that of the oldest link to a
     * collection searching the space (a file shared by collections of different languages is indexed once).
     */
    void chooseLanguage(UUID fileId, int spaceId) {
        jdbc.sql("""
                        update file_indexes fi set language = coalesce((
                            select c.language from collection_files cf join collections c on c.id = cf.collection_id
                            where cf.file_id = fi.file_id
                              and (c.space_id = fi.space_id or c.serving_space_id = fi.space_id)
                            order by cf.added_at, c.id limit 1), fi.language)
                        where fi.file_id = :f and fi.space_id = :s""")
                .param("f", fileId).param("s", spaceId).update();
    }

    /**
     * Writes chunks with their lexemes for keyword search (in the index's language) and, when
     * {@code withVectors}, their vectors in {@code chunks.embedding}; replaces any with the same (file, space, index):
     * a batch redone after a crash overwrites instead of duplicating. One statement per batch.
     */
    void upsertChunks(UUID fileId, int spaceId, List<NewChunk> chunks, boolean withVectors) {
        String vectorColumn = withVectors ? ", embedding" : "";
        String vectorValue = withVectors ? ", t.vector::real[]" : "";
        String vectorUpdate = withVectors ? ", embedding = excluded.embedding" : "";
        jdbc.sql("insert into chunks (file_id, space_id, chunk_index, content, start_char, end_char, token_count,"
                        + " terms" + vectorColumn + ")"
                        + " select :f, :s, t.idx, t.content, t.start_char, t.end_char, t.tokens,"
                        + " to_tsvector(fi.language, t.content)" + vectorValue
                        + " from unnest(:idx, :content, :start, :end, :tokens, :vectors)"
                        + " as t(idx, content, start_char, end_char, tokens, vector)"
                        + " cross join (select language from file_indexes where file_id = :f and space_id = :s) fi"
                        + " on conflict (file_id, space_id, chunk_index) do update"
                        + " set content = excluded.content, start_char = excluded.start_char,"
                        + " end_char = excluded.end_char, token_count = excluded.token_count, terms = excluded.terms"
                        + vectorUpdate)
                .param("f", fileId).param("s", spaceId)
                .param("idx", chunks.stream().map(NewChunk::index).toArray(Integer[]::new))
                .param("content", chunks.stream().map(NewChunk::content).toArray(String[]::new))
                .param("start", chunks.stream().map(NewChunk::startChar).toArray(Integer[]::new))
                .param("end", chunks.stream().map(NewChunk::endChar).toArray(Integer[]::new))
                .param("tokens", chunks.stream().map(NewChunk::tokenCount).toArray(Integer[]::new))
                .param("vectors", chunks.stream().map(c -> withVectors ? arrayLiteral(c.embedding()) : null)
                        .toArray(String[]::new))
                .update();
        jdbc.sql("""
                        update file_indexes set chunks_done = (select count(*) from chunks
                                                               where file_id = :f and space_id = :s),
                               updated_at = now()
                        where file_id = :f and space_id = :s""")
                .param("f", fileId).param("s", spaceId).update();
    }

    /** Records the space's dimension on first use; false when the space already has another. */
    boolean claimDimensions(int spaceId, int dimensions) {
        jdbc.sql("update embedding_spaces set dimensions = :d where id = :s and dimensions is null")
                .param("d", dimensions).param("s", spaceId).update();
        return jdbc.sql("select dimensions = :d from embedding_spaces where id = :s").param("d", dimensions)
                .param("s", spaceId).query(Boolean.class).single();
    }

    /** PostgreSQL's text form of a {@code real[]}: {@code {1.0,2.0}}. */
    static String arrayLiteral(float[] vector) {
        return "{" + numbers(vector) + "}";
    }

    /** A vector's components, comma-separated: the inside of its {@code real[]} and pgvector literals. */
    static String numbers(float[] vector) {
        StringBuilder text = new StringBuilder(vector.length * 12);
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(vector[i]);
        }
        return text.toString();
    }

    private FileRow file(ResultSet rs, int row) throws SQLException {
        return new FileRow(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("media_type"),
                rs.getLong("size_bytes"), rs.getString("sha256"), rs.getString("storage_key"),
                rs.getObject("uploaded_by", UUID.class), rs.getTimestamp("created_at").toInstant(), metadata(rs));
    }

    private Map<String, String> metadata(ResultSet rs) throws SQLException {
        String text = rs.getString("metadata");
        return text == null ? Map.of() : json.readValue(text, METADATA);
    }

    private static KnowledgeFile.Ingestion ingestion(ResultSet rs, int row) throws SQLException {
        return new KnowledgeFile.Ingestion(rs.getString("connection"), rs.getString("model"),
                IngestionStatus.fromSql(rs.getString("status")), rs.getInt("chunks_done"),
                (Integer) rs.getObject("chunks_total"), rs.getString("failure_code"), rs.getString("failure_reason"),
                rs.getObject("credential_id", UUID.class), rs.getTimestamp("updated_at").toInstant());
    }
}
