package org.atrium.settings;

import org.atrium.platform.SecretCipher;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code credentials} and {@code credential_shares}. Ciphertexts never leave this class unopened. */
@Repository
class ProviderCredentialStore {

    private static final String COLUMNS = """
            c.id, c.scope, c.group_id, c.user_id, c.connection, c.kind, c.name, c.secret_prefix, c.last_four,
            octet_length(c.ciphertext) - 16 as secret_bytes, c.shared_with_all,
            c.created_at,
            coalesce((select array_agg(s.group_id order by s.group_id) from credential_shares s
                      where s.credential_id = c.id), '{}') as shares""";

    private final JdbcClient jdbc;

    /**
     * Rows stored before masks depended on the secret's length kept four characters whatever the length; the length
     * is known from the ciphertext (AES-GCM: the secret's bytes and a 16-byte tag), so they are masked alike.
     */
    private static String shownTail(String stored, int secretBytes) {
        int shown = Math.min(stored.length(), CredentialService.visibleCharacters(secretBytes));
        return stored.substring(stored.length() - shown);
    }

    ProviderCredentialStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, String scope, @Nullable UUID groupId, @Nullable UUID userId, String connection, String kind,
                String name, SecretCipher.Sealed sealed, String prefix, String lastFour, boolean sharedWithAll) {
        jdbc.sql("""
                        insert into credentials (id, scope, group_id, user_id, connection, kind, name, key_id, nonce,
                                                 ciphertext, secret_prefix, last_four, shared_with_all)
                        values (:id, :scope, :group, :user, :connection, :kind, :name, :keyId, :nonce, :ciphertext,
                                :prefix, :lastFour, :all)""")
                .param("id", id).param("scope", scope).param("group", groupId).param("user", userId)
                .param("connection", connection).param("kind", kind).param("name", name)
                .param("keyId", sealed.keyId()).param("nonce", sealed.nonce()).param("ciphertext", sealed.ciphertext())
                .param("prefix", prefix).param("lastFour", lastFour).param("all", sharedWithAll).update();
    }

    void replaceShares(UUID credentialId, boolean sharedWithAll, Collection<UUID> groupIds) {
        jdbc.sql("update credentials set shared_with_all = :all where id = :id")
                .param("id", credentialId).param("all", sharedWithAll).update();
        jdbc.sql("delete from credential_shares where credential_id = :id").param("id", credentialId).update();
        for (UUID groupId : groupIds) {
            jdbc.sql("insert into credential_shares (credential_id, group_id) values (:id, :group)")
                    .param("id", credentialId).param("group", groupId).update();
        }
    }

    Optional<Credential> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from credentials c where c.id = :id").param("id", id)
                .query(ProviderCredentialStore::credential).optional();
    }

    List<Credential> ofInstance() {
        return jdbc.sql("select " + COLUMNS + " from credentials c where c.scope = 'instance'"
                + " order by c.connection, c.created_at, c.id").query(ProviderCredentialStore::credential).list();
    }

    List<Credential> ofGroup(UUID groupId) {
        return jdbc.sql("select " + COLUMNS + " from credentials c where c.group_id = :group"
                        + " order by c.connection, c.created_at, c.id")
                .param("group", groupId).query(ProviderCredentialStore::credential).list();
    }

    List<Credential> ofUser(UUID userId) {
        return jdbc.sql("select " + COLUMNS + " from credentials c where c.user_id = :user"
                        + " order by c.connection, c.created_at, c.id")
                .param("user", userId).query(ProviderCredentialStore::credential).list();
    }

    /** Every credential that may apply to a member of these groups: instance ones, the groups', the user's. */
    List<Credential> applicableTo(UUID userId, Collection<UUID> groupIds) {
        return jdbc.sql("select " + COLUMNS + " from credentials c where c.scope = 'instance'"
                        + " or c.group_id = any(:groups) or c.user_id = :user"
                        + " order by c.connection, c.created_at, c.id")
                .param("groups", groupIds.toArray(UUID[]::new)).param("user", userId)
                .query(ProviderCredentialStore::credential).list();
    }

    /** The sealed secret, for rotation and for provider calls. */
    Optional<SecretCipher.Sealed> sealed(UUID id) {
        return jdbc.sql("select key_id, nonce, ciphertext from credentials where id = :id").param("id", id)
                .query((rs, row) -> new SecretCipher.Sealed(rs.getString("key_id"), rs.getBytes("nonce"),
                        rs.getBytes("ciphertext"))).optional();
    }

    List<UUID> sealedWithOtherKeys(String activeKeyId) {
        return jdbc.sql("select id from credentials where key_id <> :key").param("key", activeKeyId)
                .query(UUID.class).list();
    }

    void reseal(UUID id, SecretCipher.Sealed sealed) {
        jdbc.sql("update credentials set key_id = :keyId, nonce = :nonce, ciphertext = :ciphertext where id = :id")
                .param("id", id).param("keyId", sealed.keyId()).param("nonce", sealed.nonce())
                .param("ciphertext", sealed.ciphertext()).update();
    }

    boolean delete(UUID id) {
        return jdbc.sql("delete from credentials where id = :id").param("id", id).update() > 0;
    }

    private static Credential credential(ResultSet rs, int row) throws SQLException {
        String scope = rs.getString("scope");
        UUID owner = switch (scope) {
            case "group" -> rs.getObject("group_id", UUID.class);
            case "user" -> rs.getObject("user_id", UUID.class);
            default -> null;
        };
        List<UUID> shares = new ArrayList<>();
        for (Object id : (Object[]) rs.getArray("shares").getArray()) {
            shares.add((UUID) id);
        }
        return new Credential(rs.getObject("id", UUID.class), scope, owner, rs.getString("connection"),
                rs.getString("kind"), rs.getString("name"), rs.getString("secret_prefix") + "..." + shownTail(rs.getString("last_four"), rs.getInt("secret_bytes")),
                rs.getBoolean("shared_with_all"), shares, rs.getTimestamp("created_at").toInstant());
    }
}
