package org.atrium.chat;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Whether an answered question is its branch's first, told from the conversation the answer's start read. */
class AnsweredQuestionTest {

    private static final UUID CHAT = UUID.randomUUID();

    private static ChatMessage message(MessageRole role, String content) {
        return new ChatMessage(UUID.randomUUID(), CHAT, null, role, content, List.of(), null, null, List.of(),
                List.of(), MessageStatus.COMPLETE, null,
                Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void aUserMessageWithNoUserMessageBeforeItIsTheFirstQuestionASystemMessageMayPrecedeIt() {
        ChatMessage question = message(MessageRole.USER, "Which rooms need lab coats?");
        assertThat(AnsweredQuestion.of(List.of(question)))
                .isEqualTo(new AnsweredQuestion(question, true));
        assertThat(AnsweredQuestion.of(List.of(message(MessageRole.SYSTEM, "Be brief."), question)))
                .isEqualTo(new AnsweredQuestion(question, true));
    }

    @Test
    void aLaterQuestionOrAToolResultIsNot() {
        ChatMessage later = message(MessageRole.USER, "And goggles?");
        assertThat(AnsweredQuestion.of(List.of(message(MessageRole.USER, "Lab coats?"),
                message(MessageRole.ASSISTANT, "Rooms B1 to B4."), later)))
                .isEqualTo(new AnsweredQuestion(later, false));
        ChatMessage toolResult = message(MessageRole.TOOL, "{\"rooms\": 4}");
        assertThat(AnsweredQuestion.of(List.of(message(MessageRole.USER, "Lab coats?"),
                message(MessageRole.ASSISTANT, ""), toolResult)))
                .isEqualTo(new AnsweredQuestion(toolResult, false));
    }
}
