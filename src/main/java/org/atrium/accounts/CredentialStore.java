package org.atrium.accounts;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for the {@code sessions} and {@code api_keys} tables, and the per-request caller lookup. */
@Repository
class CredentialStore {

    private static final RowMapper<ApiKey> API_KEY = (rs, row) -> new ApiKey(
            rs.getObject("id", UUID.class), rs.getString("name"),
            Secrets.API_KEY_PREFIX + "..." + rs.getString("last_four"),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("expires_at") == null ? null : rs.getTimestamp("expires_at").toInstant());

    private final JdbcClient jdbc;

    CredentialStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insertSession(UUID id, byte[] tokenHash, UUID userId, Instant expiresAt) {
        jdbc.sql("insert into sessions (id, token_hash, user_id, expires_at) values (:id, :hash, :user, :expires)")
                .param("id", id).param("hash", tokenHash).param("user", userId)
                .param("expires", Timestamp.from(expiresAt)).update();
    }

    void deleteSession(UUID id) {
        jdbc.sql("delete from sessions where id = :id").param("id", id).update();
    }

    /** The caller behind a live session token, with the user's current role. */
    Optional<Caller> callerBySession(byte[] tokenHash) {
        return jdbc.sql("""
                        select u.id, u.email, u.name, u.role, s.id as credential_id
                        from sessions s join users u on u.id = s.user_id
                        where s.token_hash = :hash and s.expires_at > now()""")
                .param("hash", tokenHash)
                .query((rs, row) -> caller(rs, Caller.Credential.SESSION)).optional();
    }

    /** The caller behind an unexpired API key, with the user's current role. */
    Optional<Caller> callerByApiKey(byte[] tokenHash) {
        return jdbc.sql("""
                        select u.id, u.email, u.name, u.role, k.id as credential_id
                        from api_keys k join users u on u.id = k.user_id
                        where k.token_hash = :hash and (k.expires_at is null or k.expires_at > now())""")
                .param("hash", tokenHash)
                .query((rs, row) -> caller(rs, Caller.Credential.API_KEY)).optional();
    }

    ApiKey insertApiKey(UUID userId, String name, byte[] tokenHash, String lastFour, @Nullable Instant expiresAt) {
        return jdbc.sql("""
                        insert into api_keys (id, user_id, name, token_hash, last_four, expires_at)
                        values (:id, :user, :name, :hash, :lastFour, :expires)
                        returning id, name, last_four, created_at, expires_at""")
                .param("id", UUID.randomUUID()).param("user", userId).param("name", name)
                .param("hash", tokenHash).param("lastFour", lastFour)
                .param("expires", expiresAt == null ? null : Timestamp.from(expiresAt))
                .query(API_KEY).single();
    }

    List<ApiKey> apiKeysOf(UUID userId) {
        return jdbc.sql("select id, name, last_four, created_at, expires_at from api_keys where user_id = :user"
                        + " order by created_at, id")
                .param("user", userId).query(API_KEY).list();
    }

    Optional<UUID> apiKeyOwner(UUID keyId) {
        return jdbc.sql("select user_id from api_keys where id = :id").param("id", keyId)
                .query(UUID.class).optional();
    }

    boolean deleteApiKey(UUID keyId) {
        return jdbc.sql("delete from api_keys where id = :id").param("id", keyId).update() > 0;
    }

    private static Caller caller(java.sql.ResultSet rs, Caller.Credential credential) throws java.sql.SQLException {
        return new Caller(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("name"),
                Role.of(rs.getString("role")), credential, rs.getObject("credential_id", UUID.class));
    }
}
