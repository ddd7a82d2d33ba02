package org.atrium.chat;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The few statements answer generation needs beyond {@link ChatAnswers}: counts and stale answers. */
@Repository
class GenerationStore {

    private final JdbcClient jdbc;

    GenerationStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Serialises the starts of one user's answers until the transaction ends, so that the count below and the new
     * answer are seen together by the next start on any replica.
     */
    void lockStarts(UUID userId) {
        jdbc.sql("select pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("key", "chat.generation:" + userId).query().singleValue();
    }

    /** @return the user's answers in progress whose generator saved something within {@code alive} */
    int generating(UUID userId, Duration alive) {
        return jdbc.sql("""
                        select count(*) from chat_messages m join chats c on c.id = m.chat_id
                        where c.owner_user_id = :user and m.status = 'in_progress'
                          and m.updated_at > clock_timestamp() - make_interval(secs => :alive)""")
                .param("user", userId).param("alive", (double) alive.toMillis() / 1000).query(Integer.class)
                .single();
    }

    /** @return answers in progress whose last save is older than {@code idle}: their generator died */
    List<UUID> stale(Duration idle, int limit) {
        return jdbc.sql("""
                        select id from chat_messages
                        where status = 'in_progress' and updated_at < clock_timestamp() - make_interval(secs => :idle)
                        order by updated_at limit :limit""")
                .param("idle", (double) idle.toMillis() / 1000).param("limit", limit).query(UUID.class).list();
    }
}
