package org.atrium.chat;

import org.atrium.platform.LogEvents;
import org.atrium.settings.EffectiveState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.List;

/** Every {@link AnswerEndListener}, told in turn; what one throws is logged and goes no further. */
@Component
class AnswerEndListeners {

    private static final Logger log = LoggerFactory.getLogger(AnswerEndListeners.class);

    private final List<AnswerEndListener> listeners;

    AnswerEndListeners(List<AnswerEndListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Tells every listener that an answer ended; returns as soon as they have returned. */
    void ended(EffectiveState state, ChatMessage answer, AnsweredQuestion question) {
        for (AnswerEndListener listener : listeners) {
            try {
                listener.answerEnded(state, answer, question);
            } catch (RuntimeException failed) {
                LogEvents.warn(log, "chat.answer.listener.failed").addKeyValue("message_id", answer.id())
                        .addKeyValue("listener", listener.getClass().getSimpleName())
                        .addKeyValue("reason", failed.getClass().getSimpleName()).log();
            }
        }
    }
}
