package org.atrium.knowledge;

import org.postgresql.util.PGobject;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one search may return, in one embedding space: chunks of files that are ready in the space, held by one of the
 * collections, and whose metadata matches the filter. Every index asks PostgreSQL for this set at the time of the
 * search, so a deleted, removed or re-queued file is never returned on any replica.
 *
 * @param spaceId       the embedding space
 * @param dimensions    the space's vector size
 * @param collectionIds collections the caller may read
 * @param metadata      for each key, the values a file's metadata may have there (any of them); empty: no filter
 */
record SearchScope(int spaceId, int dimensions, List<UUID> collectionIds, Map<String, List<String>> metadata) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    SearchScope {
        collectionIds = List.copyOf(collectionIds);
        metadata = Map.copyOf(metadata);
    }

    /**
     * A query for the ids of the files in scope ({@code file_id}); its parameters are set by {@link #bind}.
     * Metadata values are bound as {@code jsonb} parameters, never cast per row.
     */
    String readyFiles() {
        StringBuilder sql = new StringBuilder("""
                select fi.file_id from file_indexes fi
                where fi.space_id = :scopeSpace and fi.status = 'ready'
                  and exists (select 1 from collection_files cf
                              where cf.file_id = fi.file_id and cf.collection_id = any(:scopeCollections))""");
        if (!metadata.isEmpty()) {
            sql.append("\n  and exists (select 1 from files f where f.id = fi.file_id");
            int parameter = 0;
            for (List<String> values : metadata.values()) {
                List<String> anyOf = new ArrayList<>();
                for (int i = 0; i < values.size(); i++) {
                    anyOf.add("f.metadata @> :scopeMeta" + parameter++);
                }
                sql.append(" and (").append(String.join(" or ", anyOf)).append(')');
            }
            sql.append(')');
        }
        return sql.toString();
    }

    /** Sets the parameters {@link #readyFiles()} names. */
    JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement) {
        statement.param("scopeSpace", spaceId).param("scopeCollections", collectionIds.toArray(UUID[]::new));
        int parameter = 0;
        for (var entry : metadata.entrySet()) {
            for (String value : entry.getValue()) {
                statement.param("scopeMeta" + parameter++, jsonb(Map.of(entry.getKey(), value)));
            }
        }
        return statement;
    }

    private static PGobject jsonb(Object value) {
        PGobject json = new PGobject();
        json.setType("jsonb");
        try {
            json.setValue(JSON.writeValueAsString(value));
        } catch (SQLException impossible) {
            throw new IllegalStateException(impossible);
        }
        return json;
    }
}
