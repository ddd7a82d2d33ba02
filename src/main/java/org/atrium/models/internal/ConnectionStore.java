package org.atrium.models.internal;

import org.atrium.models.ConnectionKind;
import org.atrium.models.ConnectionTimeouts;
import org.atrium.platform.SecretCipher;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code connections}. Sealed header values leave this class only to be opened for a call. */
@Repository
public class ConnectionStore {

    private static final String COLUMNS = """
            id, name, kind, base_url, group_id, enabled, url_set_by_admin, header_names, connect_timeout_ms,
            first_token_timeout_ms, idle_timeout_ms, total_timeout_ms, revision, created_at, updated_at""";

    private final JdbcClient jdbc;

    ConnectionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a connection; a taken name throws {@link org.springframework.dao.DuplicateKeyException}. */
    public void insert(UUID id, String name, ConnectionKind kind, String baseUrl, @Nullable UUID groupId,
                       boolean enabled, boolean urlSetByAdmin, List<String> headerNames,
                       SecretCipher.@Nullable Sealed headers, ConnectionTimeouts timeouts, UUID createdBy) {
        jdbc.sql("""
                        insert into connections (id, name, kind, base_url, group_id, enabled, url_set_by_admin,
                            header_names, headers_key_id, headers_nonce, headers_ciphertext, connect_timeout_ms,
                            first_token_timeout_ms, idle_timeout_ms, total_timeout_ms, created_by)
                        values (:id, :name, :kind, :url, :group, :enabled, :byAdmin, :names, :keyId, :nonce,
                            :ciphertext, :connect, :firstToken, :idle, :total, :createdBy)""")
                .param("id", id).param("name", name).param("kind", kind.wire()).param("url", baseUrl)
                .param("group", groupId).param("enabled", enabled).param("byAdmin", urlSetByAdmin)
                .param("names", headerNames.toArray(String[]::new))
                .param("keyId", headers == null ? null : headers.keyId())
                .param("nonce", headers == null ? null : headers.nonce())
                .param("ciphertext", headers == null ? null : headers.ciphertext())
                .param("connect", timeouts.connectMs()).param("firstToken", timeouts.firstTokenMs())
                .param("idle", timeouts.idleMs()).param("total", timeouts.totalMs()).param("createdBy", createdBy)
                .update();
    }

    /** Replaces the changeable fields and raises the revision. */
    public void update(UUID id, String baseUrl, boolean enabled, boolean urlSetByAdmin, List<String> headerNames,
                       SecretCipher.@Nullable Sealed headers, ConnectionTimeouts timeouts) {
        jdbc.sql("""
                        update connections set base_url = :url, enabled = :enabled, url_set_by_admin = :byAdmin,
                            header_names = :names,
                            headers_key_id = :keyId, headers_nonce = :nonce, headers_ciphertext = :ciphertext,
                            connect_timeout_ms = :connect, first_token_timeout_ms = :firstToken,
                            idle_timeout_ms = :idle, total_timeout_ms = :total, revision = revision + 1,
                            updated_at = now()
                        where id = :id""")
                .param("id", id).param("url", baseUrl).param("enabled", enabled).param("byAdmin", urlSetByAdmin)
                .param("names", headerNames.toArray(String[]::new))
                .param("keyId", headers == null ? null : headers.keyId())
                .param("nonce", headers == null ? null : headers.nonce())
                .param("ciphertext", headers == null ? null : headers.ciphertext())
                .param("connect", timeouts.connectMs()).param("firstToken", timeouts.firstTokenMs())
                .param("idle", timeouts.idleMs()).param("total", timeouts.totalMs()).update();
    }

    /** Deletes a connection. */
    public void delete(UUID id) {
        jdbc.sql("delete from connections where id = :id").param("id", id).update();
    }

    /** Reads one connection, locking it against concurrent changes when {@code forUpdate}. */
    public Optional<StoredConnection> find(UUID id, boolean forUpdate) {
        return jdbc.sql("select " + COLUMNS + " from connections where id = :id" + (forUpdate ? " for update" : ""))
                .param("id", id).query(ConnectionStore::row).optional();
    }

    /** @return the instance's connections, by name */
    public List<StoredConnection> ofInstance() {
        return jdbc.sql("select " + COLUMNS + " from connections where group_id is null order by name")
                .query(ConnectionStore::row).list();
    }

    /** @return one group's connections, by name */
    public List<StoredConnection> ofGroup(UUID groupId) {
        return jdbc.sql("select " + COLUMNS + " from connections where group_id = :group order by name")
                .param("group", groupId).query(ConnectionStore::row).list();
    }

    /** @return every group's connections, by name */
    public List<StoredConnection> ofAnyGroup() {
        return jdbc.sql("select " + COLUMNS + " from connections where group_id is not null order by name")
                .query(ConnectionStore::row).list();
    }

    /** @return every group connection of these groups, by name */
    public List<StoredConnection> ofGroups(Collection<UUID> groupIds) {
        if (groupIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select " + COLUMNS + " from connections where group_id in (:groups) order by name")
                .param("groups", groupIds).query(ConnectionStore::row).list();
    }

    /** @return the sealed header values of a connection, if it has any */
    public Optional<SecretCipher.Sealed> sealedHeaders(UUID id) {
        return jdbc.sql("""
                        select headers_key_id, headers_nonce, headers_ciphertext from connections
                        where id = :id and headers_ciphertext is not null""")
                .param("id", id).query((rs, n) -> new SecretCipher.Sealed(rs.getString(1), rs.getBytes(2),
                        rs.getBytes(3))).optional();
    }

    /** @return the ids of connections whose headers are sealed with another key than {@code activeKeyId} */
    public List<UUID> sealedWithOtherKeys(String activeKeyId) {
        return jdbc.sql("select id from connections where headers_key_id is not null and headers_key_id <> :key")
                .param("key", activeKeyId).query(UUID.class).list();
    }

    /** Replaces a connection's sealed headers without changing its revision (key rotation). */
    public void reseal(UUID id, SecretCipher.Sealed sealed) {
        jdbc.sql("""
                        update connections set headers_key_id = :keyId, headers_nonce = :nonce,
                            headers_ciphertext = :ciphertext where id = :id""")
                .param("id", id).param("keyId", sealed.keyId()).param("nonce", sealed.nonce())
                .param("ciphertext", sealed.ciphertext()).update();
    }

    private static StoredConnection row(ResultSet rs, int n) throws SQLException {
        Array names = rs.getArray("header_names");
        return new StoredConnection(rs.getObject("id", UUID.class), rs.getString("name"),
                ConnectionKind.of(rs.getString("kind")), rs.getString("base_url"),
                rs.getObject("group_id", UUID.class), rs.getBoolean("enabled"), rs.getBoolean("url_set_by_admin"),
                Arrays.asList((String[]) names.getArray()),
                new ConnectionTimeouts(rs.getInt("connect_timeout_ms"), rs.getInt("first_token_timeout_ms"),
                        rs.getInt("idle_timeout_ms"), rs.getInt("total_timeout_ms")),
                rs.getLong("revision"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
