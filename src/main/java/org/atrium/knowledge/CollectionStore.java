package org.atrium.knowledge;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/** SQL for {@code collections} and {@code collection_grants}. */
@Repository
class CollectionStore {

    /** A collection row with the strongest grant that reaches the caller (null when none does). */
    record Row(UUID id, String name, String description, @Nullable UUID ownerUserId, @Nullable UUID ownerGroupId,
               String language, Instant createdAt, Instant updatedAt, @Nullable Access granted) {
    }

    /** The caller's strongest grant, directly or through one of their groups, computed with the row. */
    private static final String GRANTED = """
            (select case max(case g.access when 'write' then 2 else 1 end) when 2 then 'WRITE' when 1 then 'READ' end
             from collection_grants g where g.collection_id = c.id
               and (g.grantee_user_id = :user or g.grantee_group_id = any(:groups))) as granted""";

    /** Collections the caller may read: owned, owned by one of their groups, granted, or any for admins. */
    static final String READABLE = """
            (:admin or c.owner_user_id = :user or c.owner_group_id = any(:groups)
             or exists (select 1 from collection_grants g where g.collection_id = c.id
                        and (g.grantee_user_id = :user or g.grantee_group_id = any(:groups))))""";

    private static final String OWNED_BY = " and (cast(:owner as uuid) is null or c.owner_group_id = :owner)";

    /**
     * A collection's files by status in its space, as the file listing shows them (no index yet: failed), in one
     * aggregate over their links (the primary key of collection_files leads with the collection).
     */
    private static final String COUNTS = """
            select cf.collection_id, count(*) as total,
                   count(*) filter (where fi.status = 'queued') as queued,
                   count(*) filter (where fi.status in ('extracting', 'embedding')) as running,
                   count(*) filter (where fi.status = 'ready') as ready,
                   count(*) filter (where fi.status = 'failed' or fi.file_id is null) as failed
            from collection_files cf
            join collections c on c.id = cf.collection_id
            left join file_indexes fi on fi.file_id = cf.file_id and fi.space_id = c.space_id
            where cf.collection_id = any(:ids)
            group by cf.collection_id""";

    private final JdbcClient jdbc;

    CollectionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, String name, String description, @Nullable UUID ownerUserId, @Nullable UUID ownerGroupId,
                UUID createdBy, String language) {
        jdbc.sql("""
                        insert into collections (id, name, description, owner_user_id, owner_group_id, created_by,
                                                 language)
                        values (:id, :name, :description, :user, :group, :createdBy, cast(:language as regconfig))""")
                .param("id", id).param("name", name).param("description", description).param("language", language)
                .param("user", ownerUserId).param("group", ownerGroupId).param("createdBy", createdBy).update();
    }

    /**
     * The user's uploads collection ({@code kind = 'uploads'}), created when they have none; concurrent first uploads
     * create one, the unique index keeping the others out.
     *
     * @return its id, and whether this call created it
     */
    Uploads uploadsOf(UUID user, String language) {
        UUID created = UUID.randomUUID();
        int inserted = jdbc.sql("""
                        insert into collections (id, name, description, owner_user_id, created_by, language, kind)
                        values (:id, 'Uploads', 'Files uploaded without a collection', :user, :user,
                                cast(:language as regconfig), 'uploads')
                        on conflict (owner_user_id) where kind = 'uploads' do nothing""")
                .param("id", created).param("user", user).param("language", language).update();
        if (inserted == 1) {
            return new Uploads(created, true);
        }
        return new Uploads(jdbc.sql("select id from collections where owner_user_id = :user and kind = 'uploads'")
                .param("user", user).query(UUID.class).single(), false);
    }

    /** A user's uploads collection, and whether it was created just now. */
    record Uploads(UUID id, boolean created) {
    }

    /**
     * Takes a key-share lock on an account row: the caller's is the first lock of every knowledge write, so that
     * deleting the account (which locks the row first too) and the caller's writes queue instead of deadlocking.
     *
     * @return false when the account no longer exists
     */
    boolean keyShareUser(UUID userId) {
        return jdbc.sql("select id from users where id = :u for key share").param("u", userId).query(UUID.class)
                .optional().isPresent();
    }

    /** Takes a key-share lock on a group's row (a grant to it), before any collection is locked (lock order). */
    boolean keyShareGroup(UUID groupId) {
        return jdbc.sql("select id from groups where id = :g for key share").param("g", groupId).query(UUID.class)
                .optional().isPresent();
    }

    /**
     * Locks, in this order, the collections whose rows a deletion of their owner changes (owned by or, for a user,
     * created by it) by id, then the files in the owned ones and, for a user, the files they uploaded, by id. The
     * cascades that follow then take no collection or file lock that a concurrent knowledge write could hold while
     * waiting for one of them.
     */
    void lockForOwnerDeletion(@Nullable UUID userId, @Nullable UUID groupId) {
        jdbc.sql("""
                        select id from collections
                        where owner_user_id = :u or created_by = :u or owner_group_id = :g
                        order by id for update""")
                .param("u", userId).param("g", groupId).query(UUID.class).list();
        jdbc.sql("""
                        select f.id from files f
                        where f.uploaded_by = :u
                           or f.id in (select cf.file_id from collection_files cf join collections c
                                       on c.id = cf.collection_id
                                       where c.owner_user_id = :u or c.owner_group_id = :g)
                        order by f.id for update""")
                .param("u", userId).param("g", groupId).query(UUID.class).list();
    }

    /** Locks a collection for a change of its files ({@code for no key update}, as uploads and adds take it). */
    boolean lockForWrite(UUID id) {
        return jdbc.sql("select id from collections where id = :id for no key update").param("id", id)
                .query(UUID.class).optional().isPresent();
    }

    /** Locks a collection about to be deleted, then its files by id (the same order as an owner's deletion). */
    void lockForDeletion(UUID id) {
        jdbc.sql("select id from collections where id = :id for update").param("id", id).query(UUID.class).list();
        jdbc.sql("""
                        select f.id from files f
                        where f.id in (select file_id from collection_files where collection_id = :id)
                        order by f.id for update""")
                .param("id", id).query(UUID.class).list();
    }

    Optional<Row> find(UUID id, UUID user, UUID[] groups) {
        return jdbc.sql("select c.*, " + GRANTED + " from collections c where c.id = :id").param("id", id)
                .param("user", user).param("groups", groups).query(CollectionStore::row).optional();
    }

    /**
     * A collection to search, with its serving space (the space its search reads while a re-index after a model
     * change runs; null when none).
     */
    record Searchable(Row row, @Nullable Integer servingSpaceId, @Nullable String servingConnection,
                      @Nullable String servingModel) {
    }

    /** The collections with their grants and serving spaces, in one statement; absent ids are left out. */
    Map<UUID, Searchable> findSearchable(UUID[] ids, UUID user, UUID[] groups) {
        Map<UUID, Searchable> found = new HashMap<>();
        jdbc.sql("select c.*, " + GRANTED + ", s.id as serving_id, s.connection as serving_connection,"
                        + " s.model as serving_model from collections c"
                        + " left join embedding_spaces s on s.id = c.serving_space_id where c.id = any(:ids)")
                .param("ids", ids).param("user", user).param("groups", groups)
                .query(rs -> {
                    Row row = row(rs, 0);
                    found.put(row.id(), new Searchable(row, rs.getObject("serving_id", Integer.class),
                            rs.getString("serving_connection"), rs.getString("serving_model")));
                });
        return found;
    }

    /** With {@code ownerGroup}, only that group's collections. */
    long countReadable(boolean admin, UUID user, UUID[] groups, @Nullable UUID ownerGroup) {
        return jdbc.sql("select count(*) from collections c where c.kind = 'collection' and " + READABLE + OWNED_BY)
                .param("admin", admin).param("user", user).param("groups", groups).param("owner", ownerGroup)
                .query(Long.class).single();
    }

    /** With {@code ownerGroup}, only that group's collections. */
    List<Row> readable(boolean admin, UUID user, UUID[] groups, @Nullable UUID ownerGroup, int offset, int limit) {
        return jdbc.sql("select c.*, " + GRANTED + " from collections c where c.kind = 'collection' and "
                        + READABLE + OWNED_BY + " order by lower(c.name), c.id offset :offset limit :limit")
                .param("admin", admin).param("user", user).param("groups", groups).param("owner", ownerGroup)
                .param("offset", offset).param("limit", limit).query(CollectionStore::row).list();
    }

    /**
     * The file counts of the given collections, in one aggregate.
     *
     * @param ids the collections
     * @return their counts by id; a collection with no files is not in it
     */
    Map<UUID, FileCounts> counts(UUID[] ids) {
        record Counted(UUID id, FileCounts counts) {
        }
        return jdbc.sql(COUNTS).param("ids", ids)
                .query((rs, row) -> new Counted(rs.getObject("collection_id", UUID.class), new FileCounts(
                        rs.getLong("total"), rs.getLong("queued"), rs.getLong("running"), rs.getLong("ready"),
                        rs.getLong("failed"))))
                .list().stream().collect(Collectors.toMap(Counted::id, Counted::counts));
    }

    /**
     * Those of the given collections none of whose files is queued or running in the collection's space. Cheap where
     * the full counts are not: it starts from the space's unsettled indexes ({@code file_indexes_space_status_idx}),
     * few once a collection is nearly done, and stops at the first one in the collection while it is not.
     *
     * @param ids the collections
     * @return the settled ones
     */
    List<UUID> settledAmong(UUID[] ids) {
        return jdbc.sql("""
                        select c.id from collections c
                        where c.id = any(:ids)
                          and not exists (select 1 from file_indexes fi
                                          join collection_files cf on cf.file_id = fi.file_id
                                                                  and cf.collection_id = c.id
                                          where fi.space_id = c.space_id
                                            and fi.status in ('queued', 'extracting', 'embedding'))""")
                .param("ids", ids).query(UUID.class).list();
    }

    void update(UUID id, String name, String description, String language) {
        jdbc.sql("""
                        update collections set name = :name, description = :description,
                                               language = cast(:language as regconfig), updated_at = now()
                        where id = :id""")
                .param("id", id).param("name", name).param("description", description).param("language", language)
                .update();
    }

    /** Whether PostgreSQL has a text search configuration of that name (in {@code pg_catalog}). */
    boolean languageExists(String language) {
        return jdbc.sql("""
                        select exists (select 1 from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace
                                       where n.nspname = 'pg_catalog' and c.cfgname = :language)""")
                .param("language", language).query(Boolean.class).single();
    }

    /** The text search configurations a collection may use, by name. */
    List<String> languages() {
        return jdbc.sql("""
                        select c.cfgname from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace
                        where n.nspname = 'pg_catalog' order by c.cfgname""")
                .query(String.class).list();
    }

    boolean delete(UUID id) {
        return jdbc.sql("delete from collections where id = :id").param("id", id).update() > 0;
    }

    List<CollectionGrant> grants(UUID collectionId) {
        return jdbc.sql("select grantee_user_id, grantee_group_id, access from collection_grants"
                        + " where collection_id = :id order by grantee_user_id nulls last, grantee_group_id")
                .param("id", collectionId)
                .query((rs, row) -> new CollectionGrant(rs.getObject("grantee_user_id", UUID.class),
                        rs.getObject("grantee_group_id", UUID.class),
                        Access.valueOf(rs.getString("access").toUpperCase()))).list();
    }

    void putUserGrant(UUID collectionId, UUID userId, Access access) {
        jdbc.sql("""
                        insert into collection_grants (collection_id, grantee_user_id, access) values (:id, :user, :access)
                        on conflict (collection_id, grantee_user_id) where grantee_user_id is not null
                        do update set access = excluded.access""")
                .param("id", collectionId).param("user", userId).param("access", access.name().toLowerCase())
                .update();
    }

    void putGroupGrant(UUID collectionId, UUID groupId, Access access) {
        jdbc.sql("""
                        insert into collection_grants (collection_id, grantee_group_id, access)
                        values (:id, :group, :access)
                        on conflict (collection_id, grantee_group_id) where grantee_group_id is not null
                        do update set access = excluded.access""")
                .param("id", collectionId).param("group", groupId).param("access", access.name().toLowerCase())
                .update();
    }

    void deleteUserGrant(UUID collectionId, UUID userId) {
        jdbc.sql("delete from collection_grants where collection_id = :id and grantee_user_id = :user")
                .param("id", collectionId).param("user", userId).update();
    }

    void deleteGroupGrant(UUID collectionId, UUID groupId) {
        jdbc.sql("delete from collection_grants where collection_id = :id and grantee_group_id = :group")
                .param("id", collectionId).param("group", groupId).update();
    }

    private static Row row(ResultSet rs, int row) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                rs.getObject("owner_user_id", UUID.class), rs.getObject("owner_group_id", UUID.class),
                rs.getString("language"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getString("granted") == null ? null : Access.valueOf(rs.getString("granted")));
    }
}
