package org.atrium.chat;

import org.atrium.settings.EffectiveState;

/**
 * Told when an answer this replica generated has ended and been saved (its {@code end} event already published), on
 * the generator's thread: an implementation must return at once (hand its work to a thread of its own) and must not
 * throw; {@link AnswerEndListeners} logs and swallows what one throws, so that nothing done after an answer can
 * delay or break it. Not told of answers ended elsewhere (a stop from the database, the interrupted-answer check).
 */
interface AnswerEndListener {

    /**
     * @param state    the effective state of the caller who asked for the answer, as of the request
     * @param answer   the answer as saved at its end: {@code complete}, {@code stopped} or {@code failed}
     * @param question the question it answers, as the answer's start read it
     */
    void answerEnded(EffectiveState state, ChatMessage answer, AnsweredQuestion question);
}
