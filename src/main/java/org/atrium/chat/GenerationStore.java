package org.atrium.chat;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The few statements answer generation needs beyond {@link ChatAnswers}: stale answers. */
@Repository
class GenerationStore {

    private final JdbcClient jdbc;

    GenerationStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
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
