package org.atrium.accounts;

import org.atrium.platform.AtriumException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for the {@code users} table. */
@Repository
class UserStore {

    /** A user row including the password hash, which never leaves this module. */
    record Credentials(User user, String passwordHash) {
    }

    static final RowMapper<User> USER = (rs, row) -> new User(
            rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("name"),
            Role.of(rs.getString("role")), rs.getTimestamp("created_at").toInstant());

    private final JdbcClient jdbc;

    UserStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Serialises sign-ups and admin changes so "first account" and "last admin" checks cannot race. */
    void lockAccounts() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('atrium.accounts'))").query().singleValue();
    }

    long count() {
        return jdbc.sql("select count(*) from users").query(Long.class).single();
    }

    long countAdmins() {
        return jdbc.sql("select count(*) from users where role = 'admin'").query(Long.class).single();
    }

    /** E-mail addresses are normalised here, for every query ({@link EmailAddresses}). */
    boolean emailExists(String email) {
        return jdbc.sql("select exists(select 1 from users where lower(email) = lower(:email))")
                .param("email", EmailAddresses.normalize(email)).query(Boolean.class).single();
    }

    /**
     * Inserts an account; the unique index settles an e-mail address taken meanwhile, answered as
     * {@code email_taken} rather than with PostgreSQL's message, which quotes the address.
     */
    User insert(String email, String name, String passwordHash, Role role) {
        try {
            return insertRow(email, name, passwordHash, role);
        } catch (DuplicateKeyException taken) {
            throw AtriumException.conflict("email_taken", "An account with this e-mail address already exists.");
        }
    }

    private User insertRow(String email, String name, String passwordHash, Role role) {
        return jdbc.sql("""
                        insert into users (id, email, name, password_hash, role)
                        values (:id, :email, :name, :hash, :role)
                        returning id, email, name, role, created_at""")
                .param("id", UUID.randomUUID()).param("email", EmailAddresses.normalize(email)).param("name", name)
                .param("hash", passwordHash).param("role", role.value())
                .query(USER).single();
    }

    Optional<Credentials> findCredentials(String email) {
        return jdbc.sql("select id, email, name, role, created_at, password_hash from users"
                        + " where lower(email) = lower(:email)")
                .param("email", EmailAddresses.normalize(email))
                .query((rs, row) -> new Credentials(USER.mapRow(rs, row), rs.getString("password_hash")))
                .optional();
    }

    Optional<String> passwordHash(UUID id) {
        return jdbc.sql("select password_hash from users where id = :id").param("id", id).query(String.class)
                .optional();
    }

    Optional<UUID> findIdByEmail(String email) {
        return jdbc.sql("select id from users where lower(email) = lower(:email)")
                .param("email", EmailAddresses.normalize(email)).query(UUID.class).optional();
    }

    Optional<User> find(UUID id) {
        return jdbc.sql("select id, email, name, role, created_at from users where id = :id")
                .param("id", id).query(USER).optional();
    }

    /** Locks the account row for its deletion: the first lock of a deletion (docs/ARCHITECTURE.md, lock order). */
    boolean lockForDeletion(UUID id) {
        return jdbc.sql("select id from users where id = :id for update").param("id", id).query(UUID.class).optional()
                .isPresent();
    }

    List<User> page(int offset, int limit) {
        return jdbc.sql("select id, email, name, role, created_at from users order by created_at, id"
                        + " offset :offset limit :limit")
                .param("offset", offset).param("limit", limit).query(USER).list();
    }

    /**
     * Stores a new password hash and ends the account's sessions but one, in one statement.
     *
     * @return how many sessions ended
     */
    int changePassword(UUID id, String passwordHash, UUID keptSession) {
        return jdbc.sql("""
                        with changed as (
                            update users set password_hash = :hash, updated_at = now() where id = :id returning id)
                        delete from sessions where user_id in (select id from changed) and id <> :kept""")
                .param("id", id).param("hash", passwordHash).param("kept", keptSession).update();
    }

    Optional<User> rename(UUID id, String name) {
        return jdbc.sql("""
                        update users set name = :name, updated_at = now() where id = :id
                        returning id, email, name, role, created_at""")
                .param("id", id).param("name", name).query(USER).optional();
    }

    Optional<User> updateRole(UUID id, Role role) {
        return jdbc.sql("""
                        update users set role = :role, updated_at = now() where id = :id
                        returning id, email, name, role, created_at""")
                .param("id", id).param("role", role.value()).query(USER).optional();
    }

    boolean delete(UUID id) {
        return jdbc.sql("delete from users where id = :id").param("id", id).update() > 0;
    }
}
