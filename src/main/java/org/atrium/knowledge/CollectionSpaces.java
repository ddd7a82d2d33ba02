package org.atrium.knowledge;

import org.atrium.cache.Scope;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps each collection's embedding space in line with its owner's effective embedding settings, and each file's
 * indexes in line with the spaces of the collections holding it: a new model means new indexes are queued, and
 * indexes no collection searches any more are deleted. Runs inside the caller's transaction.
 */
@Component
class CollectionSpaces {

    private static final Logger log = LoggerFactory.getLogger(CollectionSpaces.class);

    /** Failures an admin fixes by changing settings or credentials; a refresh retries them. */
    private static final Set<String> SETTINGS_FAILURES = Set.of("embedding_not_configured",
            "embedding_connection_unknown", "embedding_credential_missing", "embedding_credential_deleted");

    /** The provider refused or kept failing; worth another try with another credential. */
    private static final String PROVIDER_REFUSAL = "embedding_failed";

    /** Failures a refresh looks at again. */
    private static final Set<String> FIXABLE_FAILURES = Stream.concat(SETTINGS_FAILURES.stream(),
            Stream.of(PROVIDER_REFUSAL)).collect(Collectors.toUnmodifiableSet());

    /**
     * True for an index {@code fi} that no collection holding its file searches, neither as its current space nor as
     * the space it serves during a re-index. The V4 trigger on {@code collection_files} applies the same rule.
     */
    static final String NOT_SEARCHED = """
            not exists (select 1 from collection_files cf join collections c on c.id = cf.collection_id
                        where cf.file_id = fi.file_id
                          and (c.space_id = fi.space_id or c.serving_space_id = fi.space_id))""";

    private final JdbcClient jdbc;
    private final EmbeddingTargets targets;
    private final FileStore files;
    private final IngestionJobs jobs;
    private final KnowledgeEvents events;

    CollectionSpaces(JdbcClient jdbc, EmbeddingTargets targets, FileStore files, IngestionJobs jobs,
                     KnowledgeEvents events) {
        this.jdbc = jdbc;
        this.targets = targets;
        this.files = files;
        this.jobs = jobs;
        this.events = events;
    }

    /**
     * Resolves the collection's target, records its space and problem, and brings its files' indexes in line.
     *
     * @return the target, or empty when the collection does not exist
     */
    Optional<EmbeddingTargets.Target> refresh(UUID collectionId) {
        Optional<EmbeddingTargets.Target> resolved = refreshTarget(collectionId);
        if (resolved.isEmpty()) {
            return resolved;
        }
        EmbeddingTargets.Target target = resolved.get();
        alignFiles(collectionId, target);
        promoteIfSettled(collectionId);
        dropUnsearchedIndexes(collectionId);
        return Optional.of(target);
    }

    /**
     * Gives an index in the collection's space to each of its files that lacks one, and retries failed ones whose
     * cause may be fixed; the files are found with one query, so a refresh that changes nothing costs little.
     *
     * @return how many indexes were created or queued again
     */
    int alignFiles(UUID collectionId, EmbeddingTargets.Target target) {
        List<UUID> needing = jdbc.sql("""
                        select cf.file_id from collection_files cf
                        join collections c on c.id = cf.collection_id
                        left join file_indexes fi on fi.file_id = cf.file_id and fi.space_id = c.space_id
                        where cf.collection_id = :c and c.space_id is not null
                          and (fi.file_id is null or (fi.status = 'failed' and fi.failure_code = any(:fixable)))
                        order by cf.added_at""")
                .param("c", collectionId).param("fixable", FIXABLE_FAILURES.toArray(String[]::new))
                .query(UUID.class).list();
        return (int) needing.stream().filter(fileId -> ensureIndex(fileId, target)).count();
    }

    /**
     * Resolves the collection's target and records its space and problem, without touching its files.
     *
     * @return the target, or empty when the collection does not exist
     */
    Optional<EmbeddingTargets.Target> refreshTarget(UUID collectionId) {
        // "for no key update", not "for update": uploads and adds into the collection already hold the key-share
        // lock of their collection_files foreign key here, and upgrading two of those to "for update" deadlocks.
        Optional<FileStore.Owner> owner = jdbc.sql(
                        "select owner_user_id, owner_group_id from collections where id = :id for no key update")
                .param("id", collectionId)
                .query((rs, row) -> new FileStore.Owner(rs.getObject("owner_user_id", UUID.class),
                        rs.getObject("owner_group_id", UUID.class))).optional();
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        EmbeddingTargets.Target target = targets.resolve(owner.get().userId(), owner.get().groupId());
        // Without a model or a known connection there is no new space to move to: the collection keeps its space
        // (and its files their vectors) and only records the problem, so a setting cleared for a moment or a replica
        // started with a connection missing from its configuration never throws away what was embedded.
        Integer spaceId = switch (target) {
            case EmbeddingTargets.Ready ready -> ready.spaceId();
            case EmbeddingTargets.Unavailable unavailable -> unavailable.spaceId();
        };
        String code = target instanceof EmbeddingTargets.Unavailable u ? u.code() : null;
        String reason = target instanceof EmbeddingTargets.Unavailable u ? u.reason() : null;
        int changed = jdbc.sql("""
                        update collections set space_id = coalesce(cast(:space as integer), space_id),
                                               serving_space_id = coalesce(serving_space_id, space_id,
                                                                           cast(:space as integer)),
                                               embedding_problem_code = cast(:code as text),
                                               embedding_problem = cast(:reason as text)
                        where id = :id and (space_id is distinct from coalesce(cast(:space as integer), space_id)
                                            or embedding_problem_code is distinct from cast(:code as text)
                                            or embedding_problem is distinct from cast(:reason as text))""")
                .param("space", spaceId).param("code", code).param("reason", reason).param("id", collectionId)
                .update();
        if (changed > 0) {
            LogEvents.info(log, "collection.embedding.changed").addKeyValue("collection_id", collectionId)
                    .addKeyValue("space_id", spaceId).addKeyValue("problem", code).log();
        }
        return Optional.of(target);
    }

    /**
     * Makes sure the file has an index in the target's space, queued or failed with the target's reason.
     *
     * @return true when an index was created or queued again
     */
    boolean ensureIndex(UUID fileId, EmbeddingTargets.Target target) {
        switch (target) {
            case EmbeddingTargets.Ready ready -> {
                Optional<Long> created = files.createIndex(fileId, ready.spaceId(), IngestionStatus.QUEUED, null,
                        null);
                Optional<Long> generation = created.isPresent() ? created : retryIfFixed(fileId, ready);
                generation.ifPresent(g -> {
                    jobs.schedule(fileId, ready.spaceId(), g);
                    events.statusChanged(fileId, ready.spaceId());
                });
                return generation.isPresent();
            }
            case EmbeddingTargets.Unavailable unavailable -> {
                if (unavailable.spaceId() == null) {
                    return false;
                }
                boolean created = files.createIndex(fileId, unavailable.spaceId(), IngestionStatus.FAILED,
                        unavailable.code(), unavailable.reason()).isPresent();
                int updated = 0;
                if (!created) {
                    updated = jdbc.sql("""
                                    update file_indexes set failure_code = :code, failure_reason = :reason,
                                                            updated_at = now()
                                    where file_id = :f and space_id = :s and status = 'failed'
                                      and failure_code = any(:settings)
                                      and (failure_code, failure_reason) is distinct from (:code, :reason)""")
                            .param("code", unavailable.code()).param("reason", unavailable.reason())
                            .param("f", fileId).param("s", unavailable.spaceId())
                            .param("settings", SETTINGS_FAILURES.toArray(String[]::new)).update();
                }
                if (created || updated > 0) {
                    events.statusChanged(fileId, unavailable.spaceId());
                }
                return created;
            }
        }
    }

    /**
     * Lets retrieval search the collection's new space once every file of the collection settled there (ready or
     * failed), then deletes the indexes nothing searches any more. Until then it keeps searching the old space.
     *
     * @return true when the collection switched
     */
    boolean promoteIfSettled(UUID collectionId) {
        int promoted = jdbc.sql("""
                        update collections c set serving_space_id = c.space_id
                        where c.id = :c and c.space_id is not null and c.serving_space_id is distinct from c.space_id
                          and not exists (select 1 from collection_files cf
                                          left join file_indexes fi on fi.file_id = cf.file_id
                                                                   and fi.space_id = c.space_id
                                          where cf.collection_id = c.id
                                            and (fi.file_id is null or fi.status not in ('ready', 'failed')))""")
                .param("c", collectionId).update();
        if (promoted == 0) {
            return false;
        }
        dropUnsearchedIndexes(collectionId);
        LogEvents.info(log, "collection.embedding.switched").addKeyValue("collection_id", collectionId).log();
        return true;
    }

    /** Deletes, with their chunks, the indexes of the collection's files that no collection searches any more. */
    private void dropUnsearchedIndexes(UUID collectionId) {
        jdbc.sql("delete from file_indexes fi"
                        + " where fi.file_id in (select file_id from collection_files where collection_id = :c)"
                        + " and " + NOT_SEARCHED)
                .param("c", collectionId).update();
    }

    /** After a file's index settled: the collections that were waiting for it may switch to its space. */
    void promoteHolders(UUID fileId, int spaceId) {
        jdbc.sql("""
                        select c.id from collections c join collection_files cf on cf.collection_id = c.id
                        where cf.file_id = :f and c.space_id = :s and c.serving_space_id is distinct from c.space_id
                        order by c.id""")
                .param("f", fileId).param("s", spaceId).query(UUID.class).list()
                .forEach(this::promoteIfSettled);
    }

    /** Collections whose target depends on a changed scope. */
    List<UUID> collectionsAffectedBy(Scope scope) {
        String key = scope.key();
        if (key.equals(Scope.INSTANCE.key())) {
            return jdbc.sql("select id from collections order by id").query(UUID.class).list();
        }
        UUID id = UUID.fromString(key.substring(2));
        if (key.startsWith("g:")) {
            return jdbc.sql("""
                            select id from collections where owner_group_id = :id
                            union select c.id from collections c join group_members m on m.user_id = c.owner_user_id
                            where m.group_id = :id""")
                    .param("id", id).query(UUID.class).list();
        }
        return jdbc.sql("select id from collections where owner_user_id = :id").param("id", id)
                .query(UUID.class).list();
    }

    /**
     * Queues a failed index again when what it failed on may be fixed: settings or credentials were missing, or the
     * provider refused the call and the credential that applies now is another one (an admin replaced a wrong key).
     */
    private Optional<Long> retryIfFixed(UUID fileId, EmbeddingTargets.Ready ready) {
        record Failure(String code, @Nullable UUID credentialId) {
        }
        Optional<Failure> failure = jdbc.sql("""
                        select failure_code, credential_id from file_indexes
                        where file_id = :f and space_id = :s and status = 'failed'""")
                .param("f", fileId).param("s", ready.spaceId())
                .query((rs, row) -> new Failure(rs.getString("failure_code"),
                        rs.getObject("credential_id", UUID.class))).optional();
        boolean fixed = failure.isPresent() && (SETTINGS_FAILURES.contains(failure.get().code())
                || PROVIDER_REFUSAL.equals(failure.get().code())
                && !Objects.equals(failure.get().credentialId(), ready.credentialId()));
        return fixed ? files.restartIndex(fileId, ready.spaceId(), IngestionStatus.QUEUED, null, null)
                : Optional.empty();
    }
}
