package org.atrium.accounts;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for the {@code groups} and {@code group_members} tables. */
@Repository
class GroupStore {

    private static final String GROUP_COLUMNS = """
            g.id, g.name, g.description, g.priority, g.created_at,
            (select count(*) from group_members m where m.group_id = g.id) as member_count""";

    private static final RowMapper<Group> GROUP = (rs, row) -> new Group(
            rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
            rs.getInt("priority"), rs.getInt("member_count"), rs.getTimestamp("created_at").toInstant());

    private static final RowMapper<GroupMember> MEMBER = (rs, row) -> new GroupMember(
            rs.getObject("user_id", UUID.class), rs.getString("email"), rs.getString("name"),
            GroupRole.of(rs.getString("role")), rs.getTimestamp("joined_at").toInstant());

    private final JdbcClient jdbc;

    GroupStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    boolean nameTaken(String name, UUID exceptId) {
        return jdbc.sql("select exists(select 1 from groups where lower(name) = lower(:name) and id <> :id)")
                .param("name", name).param("id", exceptId).query(Boolean.class).single();
    }

    /** Inserts a group; the unique index settles concurrent creations of the same name. */
    UUID insert(String name, String description) {
        UUID id = UUID.randomUUID();
        try {
            jdbc.sql("insert into groups (id, name, description) values (:id, :name, :description)")
                    .param("id", id).param("name", name).param("description", description).update();
        } catch (DuplicateKeyException taken) {
            throw GroupService.nameTaken();
        }
        return id;
    }

    Optional<Group> find(UUID id) {
        return jdbc.sql("select " + GROUP_COLUMNS + " from groups g where g.id = :id")
                .param("id", id).query(GROUP).optional();
    }

    /** Locks the group row for its deletion: the first lock of a deletion (docs/ARCHITECTURE.md, lock order). */
    boolean lockForDeletion(UUID id) {
        return jdbc.sql("select id from groups where id = :id for update").param("id", id).query(UUID.class)
                .optional().isPresent();
    }

    long count() {
        return jdbc.sql("select count(*) from groups").query(Long.class).single();
    }

    List<Group> page(int offset, int limit) {
        return jdbc.sql("select " + GROUP_COLUMNS + " from groups g order by lower(g.name), g.id"
                        + " offset :offset limit :limit")
                .param("offset", offset).param("limit", limit).query(GROUP).list();
    }

    long countOf(UUID userId) {
        return jdbc.sql("select count(*) from group_members where user_id = :user")
                .param("user", userId).query(Long.class).single();
    }

    List<Group> pageOf(UUID userId, int offset, int limit) {
        return jdbc.sql("select " + GROUP_COLUMNS + " from groups g"
                        + " where exists (select 1 from group_members m where m.group_id = g.id and m.user_id = :user)"
                        + " order by lower(g.name), g.id offset :offset limit :limit")
                .param("user", userId).param("offset", offset).param("limit", limit).query(GROUP).list();
    }

    void update(UUID id, String name, String description) {
        try {
            jdbc.sql("update groups set name = :name, description = :description, updated_at = now() where id = :id")
                    .param("id", id).param("name", name).param("description", description).update();
        } catch (DuplicateKeyException taken) {
            throw GroupService.nameTaken();
        }
    }

    boolean delete(UUID id) {
        return jdbc.sql("delete from groups where id = :id").param("id", id).update() > 0;
    }

    List<AccessProfile.Membership> membershipsOf(UUID userId) {
        return jdbc.sql("""
                        select g.id, g.name, g.priority, m.role
                        from group_members m join groups g on g.id = m.group_id
                        where m.user_id = :user
                        order by g.priority desc, g.created_at, g.id""")
                .param("user", userId)
                .query((rs, row) -> new AccessProfile.Membership(rs.getObject("id", UUID.class),
                        rs.getString("name"), rs.getInt("priority"), GroupRole.of(rs.getString("role"))))
                .list();
    }

    void setPriority(UUID groupId, int priority) {
        jdbc.sql("update groups set priority = :priority, updated_at = now() where id = :id")
                .param("id", groupId).param("priority", priority).update();
    }

    Optional<GroupRole> roleOf(UUID groupId, UUID userId) {
        return jdbc.sql("select role from group_members where group_id = :group and user_id = :user")
                .param("group", groupId).param("user", userId)
                .query((rs, row) -> GroupRole.of(rs.getString("role"))).optional();
    }

    long countMembers(UUID groupId) {
        return jdbc.sql("select count(*) from group_members where group_id = :group")
                .param("group", groupId).query(Long.class).single();
    }

    List<GroupMember> members(UUID groupId, int offset, int limit) {
        return jdbc.sql("""
                        select m.user_id, u.email, u.name, m.role, m.joined_at
                        from group_members m join users u on u.id = m.user_id
                        where m.group_id = :group order by lower(u.email), m.user_id
                        offset :offset limit :limit""")
                .param("group", groupId).param("offset", offset).param("limit", limit).query(MEMBER).list();
    }

    GroupMember upsertMember(UUID groupId, UUID userId, GroupRole role) {
        jdbc.sql("""
                        insert into group_members (group_id, user_id, role) values (:group, :user, :role)
                        on conflict (group_id, user_id) do update set role = excluded.role""")
                .param("group", groupId).param("user", userId).param("role", role.value()).update();
        return member(groupId, userId).orElseThrow();
    }

    /** Adds a member unless they already are one (then their role stays), and returns the membership. */
    GroupMember insertMember(UUID groupId, UUID userId, GroupRole role) {
        jdbc.sql("""
                        insert into group_members (group_id, user_id, role) values (:group, :user, :role)
                        on conflict (group_id, user_id) do nothing""")
                .param("group", groupId).param("user", userId).param("role", role.value()).update();
        return member(groupId, userId).orElseThrow();
    }

    Optional<GroupMember> member(UUID groupId, UUID userId) {
        return jdbc.sql("""
                        select m.user_id, u.email, u.name, m.role, m.joined_at
                        from group_members m join users u on u.id = m.user_id
                        where m.group_id = :group and m.user_id = :user""")
                .param("group", groupId).param("user", userId).query(MEMBER).optional();
    }

    boolean deleteMember(UUID groupId, UUID userId) {
        return jdbc.sql("delete from group_members where group_id = :group and user_id = :user")
                .param("group", groupId).param("user", userId).update() > 0;
    }
}
