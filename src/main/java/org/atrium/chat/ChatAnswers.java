package org.atrium.chat;

import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.TransactionRetry;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The storage of answers (assistant messages) for the generation pipeline: an answer is started
 * {@code in_progress} under a question (regenerating is starting another: a sibling of the first), its text appended
 * in bounded batches as it is generated (never per token), and finished with its outcome, usage, timings and
 * citations. Any replica can read an answer's current content to reattach a client to it.
 *
 * <p>Only {@link #start} checks the caller (the chat's owner); the other methods are for the server-side work that
 * start began and take the answer's id. An answer stays {@code in_progress} only while something writes it: the
 * pipeline must finish every answer it starts, and whoever detects a writer that died (a replica killed mid-answer)
 * finishes its answers as {@code failed}.
 */
@Service
public class ChatAnswers {

    /** Longest answer, in characters: what goes beyond is cut (see {@link Appended#CUT}). */
    public static final int MAX_ANSWER_LENGTH = 400_000;
    /** Longest model id or connection name. */
    public static final int MAX_NAME_LENGTH = 200;
    /** Longest parameters, as JSON text. */
    public static final int MAX_PARAMETERS_LENGTH = 16_384;

    private static final Logger log = LoggerFactory.getLogger(ChatAnswers.class);

    /** What an append did. */
    public enum Appended {
        /** The whole text was added. */
        ALL,
        /** The answer reached {@link #MAX_ANSWER_LENGTH}: the text was cut there; stop generating. */
        CUT,
        /** The answer is not in progress (it ended, or its chat was deleted): nothing was added; stop generating. */
        NOT_IN_PROGRESS
    }

    private final ChatStore store;
    private final TransactionRetry retry;
    private final JsonMapper json;
    private final GenerationProperties generation;

    ChatAnswers(ChatStore store, TransactionRetry retry, JsonMapper json, GenerationProperties generation) {
        this.store = store;
        this.retry = retry;
        this.json = json;
        this.generation = generation;
    }

    /**
     * An answer just started and the conversation it answers.
     *
     * @param answer       the answer, empty and {@code in_progress}
     * @param conversation the messages of the branch up to the question, oldest first (the answer not included)
     */
    record Opened(ChatMessage answer, List<ChatMessage> conversation) {
    }

    /**
     * Starts an answer to a question of the caller's chat, empty and {@code in_progress}, and shows its branch. A
     * second answer to the same question (regenerating) is a sibling of the first. One round trip, as it precedes
     * the answer's first token ({@link ChatStore#startAnswer}): the owner's start lock with the account's, then the
     * chat's lock with the question and the count of the owner's answers generating, then the insert that also shows
     * it and reads the conversation up to the question.
     *
     * @param questionId the question: a {@code user} message of the chat, or a {@code tool} message (the result of
     *                   a call the previous answer made)
     * @return the answer and the conversation it answers
     * @throws AtriumException {@code chat_not_found} or {@code message_not_found} (404), {@code validation_failed}
     *                         (400) when {@code questionId} is not a question or the model, connection or parameters
     *                         are out of bounds, {@code chat_full} (409), {@code invalid_credentials} (401),
     *                         {@code too_many_answers} (429) when the owner has
     *                         {@code atrium.chat.generation.max-per-user} answers generating already
     */
    Opened start(EffectiveState state, UUID chatId, UUID questionId, AnswerStart answer) {
        check(answer);
        UUID owner = state.caller().userId();
        UUID id = UUID.randomUUID();
        ChatStore.AnswerStartResult result = retry.statement("chat.answer.start", () -> store.startAnswer(id, chatId,
                owner, questionId, answer, generation.interruptedAfter(), generation.maxPerUser(),
                ChatService.MAX_MESSAGES));
        if (result.refusal() != null) {
            throw refused(result.refusal());
        }
        Opened opened = java.util.Objects.requireNonNull(result.opened());
        LogEvents.info(log, "chat.answer.started").addKeyValue("chat_id", chatId).addKeyValue("message_id", id)
                .addKeyValue("model", answer.model()).addKeyValue("connection", answer.connection()).log();
        return opened;
    }

    /**
     * Appends a batch of generated text to an answer in progress: one statement, no lock beyond the answer's row.
     * NUL characters, which PostgreSQL text cannot hold, are dropped.
     *
     * @return whether it was added whole, cut at {@link #MAX_ANSWER_LENGTH}, or not at all
     */
    public Appended append(UUID messageId, String text) {
        return store.append(messageId, text.replace("\0", ""), MAX_ANSWER_LENGTH);
    }

    /**
     * Ends an answer in progress: appends its last batch, if any, and records the outcome. An answer that already
     * ended keeps its first outcome (a stop that raced the end, say); the answer is returned as it is either way.
     *
     * @param lastText the text generated since the last append, or {@code null}
     * @return the answer after the change
     * @throws AtriumException {@code message_not_found} (404) when the answer is gone (its chat was deleted)
     */
    public ChatMessage finish(UUID messageId, @Nullable String lastText, AnswerOutcome outcome) {
        ChatStore.FinishedAnswer finished = retry.statement("chat.answer.finish", () -> store.finishAnswer(messageId,
                lastText == null ? null : lastText.replace("\0", ""), MAX_ANSWER_LENGTH, outcome))
                .orElseThrow(ChatService::messageNotFound);
        if (finished.changed()) {
            LogEvents.info(log, "chat.answer.finished").addKeyValue("message_id", messageId)
                    .addKeyValue("status", outcome.status().value())
                    .addKeyValue("failure_code", outcome.failureCode()).log();
        }
        return finished.message();
    }

    /**
     * Reads an answer as saved so far, whoever asks: for the pipeline (reattaching a client checks the owner through
     * {@link ChatService#message}).
     *
     * @return the message, or empty when it does not exist (any more)
     */
    public Optional<ChatMessage> find(UUID messageId) {
        return store.message(messageId);
    }

    private AtriumException refused(String refusal) {
        return switch (refusal) {
            case "account_deleted" -> ChatService.accountDeleted();
            case "chat_not_found" -> ChatService.chatNotFound();
            case "message_not_found" -> ChatService.messageNotFound();
            case "too_many_answers" -> AtriumException.tooManyRequests("too_many_answers", "You have "
                    + generation.maxPerUser() + " answers being generated already; wait for one to end or stop one.",
                    Duration.ofSeconds(5));
            case "chat_full" -> ChatService.chatFull();
            case "not_a_question" -> AtriumException.invalidField("questionId", "must be a question (a user"
                    + " message) or a tool's result (a tool message)");
            default -> throw new IllegalStateException("unknown refusal of an answer's start: " + refusal);
        };
    }

    private void check(AnswerStart answer) {
        if (answer.model().isBlank() || answer.model().length() > MAX_NAME_LENGTH) {
            throw AtriumException.invalidField("model", "must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
        if (answer.connection().isBlank() || answer.connection().length() > MAX_NAME_LENGTH) {
            throw AtriumException.invalidField("connection", "must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
        if (json.writeValueAsString(answer.parameters()).length() > MAX_PARAMETERS_LENGTH) {
            throw AtriumException.invalidField("parameters", "must be at most " + MAX_PARAMETERS_LENGTH
                    + " characters as JSON");
        }
    }
}
