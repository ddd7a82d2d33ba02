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

    /** What a live session token stands for. */
    Optional<Principal> sessionPrincipal(byte[] tokenHash) {
        return jdbc.sql("select user_id, id, expires_at from sessions where token_hash = :hash and expires_at > now()")
                .param("hash", tokenHash)
                .query((rs, row) -> new Principal(rs.getObject("user_id", UUID.class), Caller.Credential.SESSION,
                        rs.getObject("id", UUID.class), rs.getTimestamp("expires_at").toInstant()))
                .optional();
    }

    /** What an unexpired API key stands for. */
    Optional<Principal> apiKeyPrincipal(byte[] tokenHash) {
        return jdbc.sql("select user_id, id, expires_at from api_keys where token_hash = :hash"
                        + " and (expires_at is null or expires_at > now())")
                .param("hash", tokenHash)
                .query((rs, row) -> new Principal(rs.getObject("user_id", UUID.class), Caller.Credential.API_KEY,
                        rs.getObject("id", UUID.class), rs.getTimestamp("expires_at") == null ? Principal.NEVER
                        : rs.getTimestamp("expires_at").toInstant()))
                .optional();
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

    /** Deletes sessions that have expired, in batches. @return how many */
    int deleteExpiredSessions(int batch) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.sql("""
                            delete from sessions where id in (
                                select id from sessions where expires_at <= now() limit :batch)""")
                    .param("batch", batch).update();
            total += deleted;
        } while (deleted == batch);
        return total;
    }

    /** Deletes API keys expired for longer than {@code retention}, in batches. @return how many */
    int deleteExpiredApiKeys(java.time.Duration retention, int batch) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.sql("""
                            delete from api_keys where id in (
                                select id from api_keys where expires_at <= now() - make_interval(secs => :seconds)
                                limit :batch)""")
                    .param("seconds", retention.toSeconds()).param("batch", batch).update();
            total += deleted;
        } while (deleted == batch);
        return total;
    }
}
