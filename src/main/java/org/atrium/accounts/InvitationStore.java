package org.atrium.accounts;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for the {@code group_invitations} table. */
@Repository
class InvitationStore {

    private static final String COLUMNS = "i.id, i.group_id, g.name as group_name, i.user_id, u.email as user_email,"
            + " i.role, i.invited_by, i.created_at";
    private static final String FROM = " from group_invitations i join groups g on g.id = i.group_id"
            + " join users u on u.id = i.user_id";

    private static final RowMapper<GroupInvitation> INVITATION = (rs, row) -> new GroupInvitation(
            rs.getObject("id", UUID.class), rs.getObject("group_id", UUID.class), rs.getString("group_name"),
            rs.getObject("user_id", UUID.class), rs.getString("user_email"), GroupRole.of(rs.getString("role")),
            rs.getObject("invited_by", UUID.class), rs.getTimestamp("created_at").toInstant());

    private final JdbcClient jdbc;

    InvitationStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts an invitation, or returns empty when the user already has one to this group. */
    Optional<GroupInvitation> insert(UUID groupId, UUID userId, GroupRole role, UUID invitedBy) {
        UUID id = UUID.randomUUID();
        int inserted = jdbc.sql("""
                        insert into group_invitations (id, group_id, user_id, role, invited_by)
                        values (:id, :group, :user, :role, :by)
                        on conflict (group_id, user_id) do nothing""")
                .param("id", id).param("group", groupId).param("user", userId).param("role", role.value())
                .param("by", invitedBy).update();
        return inserted == 0 ? Optional.empty() : find(id);
    }

    Optional<GroupInvitation> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + FROM + " where i.id = :id")
                .param("id", id).query(INVITATION).optional();
    }

    long countOfGroup(UUID groupId) {
        return jdbc.sql("select count(*) from group_invitations where group_id = :group")
                .param("group", groupId).query(Long.class).single();
    }

    List<GroupInvitation> pageOfGroup(UUID groupId, int offset, int limit) {
        return jdbc.sql("select " + COLUMNS + FROM
                        + " where i.group_id = :group order by i.created_at, i.id offset :offset limit :limit")
                .param("group", groupId).param("offset", offset).param("limit", limit).query(INVITATION).list();
    }

    long countOfUser(UUID userId) {
        return jdbc.sql("select count(*) from group_invitations where user_id = :user")
                .param("user", userId).query(Long.class).single();
    }

    List<GroupInvitation> pageOfUser(UUID userId, int offset, int limit) {
        return jdbc.sql("select " + COLUMNS + FROM
                        + " where i.user_id = :user order by i.created_at, i.id offset :offset limit :limit")
                .param("user", userId).param("offset", offset).param("limit", limit).query(INVITATION).list();
    }

    /**
     * Removes the user's invitation and returns it, or empty when it is not (any more) theirs to answer. The user's
     * and the group's rows are locked first ({@code for key share}), in the one lock order (docs/ARCHITECTURE.md), so
     * that an answer racing the group's or the account's deletion waits for it instead of deadlocking on the
     * invitation row; after such a deletion there is nothing to take.
     */
    Optional<GroupInvitation> take(UUID id, UUID userId) {
        Optional<GroupInvitation> invitation = find(id).filter(found -> found.userId().equals(userId));
        if (invitation.isEmpty()) {
            return Optional.empty();
        }
        if (!lockedForKeyShare("users", userId) || !lockedForKeyShare("groups", invitation.get().groupId())) {
            return Optional.empty();
        }
        int deleted = jdbc.sql("delete from group_invitations where id = :id and user_id = :user")
                .param("id", id).param("user", userId).update();
        return deleted == 0 ? Optional.empty() : invitation;
    }

    private boolean lockedForKeyShare(String table, UUID id) {
        return jdbc.sql("select 1 from " + table + " where id = :id for key share")
                .param("id", id).query(Integer.class).optional().isPresent();
    }

    boolean delete(UUID id, UUID groupId) {
        return jdbc.sql("delete from group_invitations where id = :id and group_id = :group")
                .param("id", id).param("group", groupId).update() > 0;
    }

    /** Drops a user's invitation to a group they have just been made a member of. */
    void deleteFor(UUID groupId, UUID userId) {
        jdbc.sql("delete from group_invitations where group_id = :group and user_id = :user")
                .param("group", groupId).param("user", userId).update();
    }
}
