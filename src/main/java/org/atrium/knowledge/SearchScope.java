package org.atrium.knowledge;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one search may return, in one embedding space: chunks of files that are ready in the space, held by one of the
 * collections, and whose metadata matches the filter. Every index asks PostgreSQL for this set at the time of the
 * search, so a deleted, removed or re-queued file is never returned on any replica: keyword search and the in-process
 * index with {@link #readyFiles(String)}, pgvector's search function with the same rules written in SQL (migration V19,
 * {@code chunk_file_in_scope} and {@code chunk_vectors_path}; {@code VectorIndexConsistencyTest} compares them).
 *
 * @param spaceId       the embedding space
 * @param dimensions    the space's vector size
 * @param collectionIds collections the caller may read
 * @param metadata      for each key, the values a file's metadata may have there (any of them); empty: no filter
 * @param fileIds       only these files; empty: no filter
 */
record SearchScope(int spaceId, int dimensions, List<UUID> collectionIds, Map<String, List<String>> metadata,
                   List<UUID> fileIds) {

    SearchScope {
        collectionIds = List.copyOf(collectionIds);
        metadata = Map.copyOf(metadata);
        fileIds = List.copyOf(fileIds);
    }

    SearchScope(int spaceId, int dimensions, List<UUID> collectionIds, Map<String, List<String>> metadata) {
        this(spaceId, dimensions, collectionIds, metadata, List.of());
    }

    /**
     * A query for the files in scope, selecting {@code columns} of their {@code file_indexes} rows (alias
     * {@code fi}, for example {@code fi.file_id}); its parameters are set by {@link #bind}. Metadata keys and values
     * are bound as text parameters of one {@code jsonb_build_object} each.
     */
    String readyFiles(String columns) {
        StringBuilder sql = new StringBuilder("select " + columns + """
                 from file_indexes fi
                where fi.space_id = :scopeSpace and fi.status = 'ready'
                  and exists (select 1 from collection_files cf
                              where cf.file_id = fi.file_id and cf.collection_id = any(:scopeCollections))""");
        if (!fileIds.isEmpty()) {
            sql.append("\n  and fi.file_id = any(:scopeFiles)");
        }
        if (!metadata.isEmpty()) {
            sql.append("\n  and exists (select 1 from files f where f.id = fi.file_id");
            int parameter = 0;
            for (List<String> values : metadata.values()) {
                List<String> anyOf = new ArrayList<>();
                for (int i = 0; i < values.size(); i++) {
                    anyOf.add("f.metadata @> jsonb_build_object(cast(:scopeKey" + parameter
                            + " as text), cast(:scopeMeta" + parameter + " as text))");
                    parameter++;
                }
                sql.append(" and (").append(String.join(" or ", anyOf)).append(')');
            }
            sql.append(')');
        }
        return sql.toString();
    }

    /** Sets the parameters {@link #readyFiles(String)} names. */
    JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement) {
        statement.param("scopeSpace", spaceId).param("scopeCollections", collectionIds.toArray(UUID[]::new));
        if (!fileIds.isEmpty()) {
            statement.param("scopeFiles", fileIds.toArray(UUID[]::new));
        }
        int parameter = 0;
        for (var entry : metadata.entrySet()) {
            for (String value : entry.getValue()) {
                statement.param("scopeKey" + parameter, entry.getKey()).param("scopeMeta" + parameter, value);
                parameter++;
            }
        }
        return statement;
    }
}
