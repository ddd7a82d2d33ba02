package org.atrium.chat.presets;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.UUID;

/** Records on an answer in progress the model a fallback switched to. */
@Repository
class AnswerModels {

    private final JdbcClient jdbc;

    AnswerModels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Changes the answer's model and connection while it is in progress; an answer that ended keeps its own. */
    void switchModel(UUID answerId, String model, String connection) {
        jdbc.sql("""
                        update chat_messages set model = :model, connection = :connection
                        where id = :id and status = 'in_progress'""")
                .param("id", answerId).param("model", model).param("connection", connection).update();
    }
}
