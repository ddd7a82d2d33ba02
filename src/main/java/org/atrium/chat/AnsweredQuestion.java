package org.atrium.chat;

import java.util.List;

/**
 * The question an answer was asked for, as the answer's start read it, and whether it is the first question of its
 * branch: no user message before it (a system message may precede it). Known from the conversation the start reads
 * anyway, so that what follows an answer's end needs no read of the chat's tree to tell.
 *
 * @param question      the question (a user message, or a tool result)
 * @param firstQuestion whether it is a user message with no user message before it on its branch
 */
record AnsweredQuestion(ChatMessage question, boolean firstQuestion) {

    /**
     * @param conversation the messages from the chat's first down to the question along their parents, oldest first
     * @return its last message, and whether that is the branch's first question
     */
    static AnsweredQuestion of(List<ChatMessage> conversation) {
        ChatMessage question = conversation.getLast();
        boolean first = question.role() == MessageRole.USER
                && conversation.stream().filter(message -> message.role() == MessageRole.USER).count() == 1;
        return new AnsweredQuestion(question, first);
    }
}
