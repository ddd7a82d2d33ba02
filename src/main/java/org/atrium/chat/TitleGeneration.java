package org.atrium.chat;

import org.atrium.models.ModelResolver;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ProviderFailure;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;

/**
 * Chat titles written by the task model ({@link TaskModels}).
 *
 * <p><b>Automatically</b>, after the first answer of a chat completes: when the caller's
 * {@code features.titleGeneration} is on, the answered question is the first question of its branch (known from the
 * conversation the answer's start read: a later exchange costs nothing), the task model is in the caller's catalogue
 * and the chat is still untitled (its title is empty), the task model is asked for a title on a virtual thread of its own, after
 * the answer's {@code end} event was published (the hook returns at once): the answer never waits for it, and a slow or
 * failing task model changes nothing but the title. The whole task is bounded by
 * {@code atrium.chat.tasks.title-timeout} (the upstream call is cancelled past it) and at most
 * {@code titles-in-flight} run per replica. The title is saved only if the chat is still untitled (one conditional
 * statement), so a title the user set, before or meanwhile, is never replaced. No task model, titles off, a quota
 * used up, a failure, a timeout: logged ({@code chat.title.skipped}, {@code chat.title.failed}) and nothing else.
 *
 * <p><b>On request</b> ({@link #generate}): the same title for the chat's first exchange, saved through the rename
 * path (it replaces the title: the owner asked for it), with clear refusals when titles are off or no task model is
 * available.
 */
@Service
public class TitleGeneration implements AnswerEndListener {

    /** Characters of the question and of the answer sent to the task model, each. */
    static final int MAX_PROMPT_PART = 2_000;
    private static final String INSTRUCTIONS = "You write the title of a chat. Reply with the title only: at most six"
            + " words, in the language of the chat, without quotes and without a final period.";
    private static final String QUOTES = "\"'`\u201C\u201D\u2018\u2019\u00AB\u00BB";
    private static final Logger log = LoggerFactory.getLogger(TitleGeneration.class);

    private final ChatStore store;
    private final ChatLiveEvents live;
    private final ChatService chats;
    private final TaskModels tasks;
    private final TaskProperties properties;
    private final Semaphore inFlight;

    TitleGeneration(ChatStore store, ChatService chats, TaskModels tasks, TaskProperties properties,
                    ChatLiveEvents live) {
        this.store = store;
        this.live = live;
        this.chats = chats;
        this.tasks = tasks;
        this.properties = properties;
        this.inFlight = new Semaphore(properties.titlesInFlight());
    }

    @Override
    public void answerEnded(EffectiveState state, ChatMessage answer, AnsweredQuestion question) {
        // Later exchanges never title a chat: known from the start's conversation, with nothing read.
        if (answer.status() != MessageStatus.COMPLETE || !question.firstQuestion() || !enabled(state)) {
            return;
        }
        if (!inFlight.tryAcquire()) {
            skipped(answer.chatId(), "busy");
            return;
        }
        try {
            Thread.ofVirtual().name("chat-title-" + answer.chatId()).start(() -> {
                try {
                    TaskModels.within(properties.titleTimeout(), "chat-title-call-" + answer.chatId(),
                            () -> automatic(state, answer, question.question())).ifPresentOrElse(ignored -> { },
                            () -> LogEvents.info(log, "chat.title.failed").addKeyValue("chat_id", answer.chatId())
                                    .addKeyValue("reason", "timeout").log());
                } catch (RuntimeException failed) {
                    LogEvents.info(log, "chat.title.failed").addKeyValue("chat_id", answer.chatId())
                            .addKeyValue("reason", failed instanceof AtriumException problem ? problem.code()
                                    : failed.getClass().getSimpleName()).log();
                } finally {
                    inFlight.release();
                }
            });
        } catch (RuntimeException notStarted) {
            inFlight.release();
            throw notStarted;
        }
    }

    /**
     * Titles the chat now from its first exchange (the first question of the branch shown and the answer after it,
     * if any), replacing its title.
     *
     * @return the chat after the change
     * @throws AtriumException {@code chat_not_found} (404); {@code title_generation_disabled} (409) when the
     *                         caller's {@code features.titleGeneration} is off; {@code title_model_unavailable} (422)
     *                         when the task model is not in the caller's catalogue; {@code chat_empty} (409) when
     *                         the chat has no question; {@code quota_exceeded} (429); {@code provider_timeout} (504)
     *                         past {@code title-timeout}; the provider's failure, or
     *                         {@code provider_invalid_response} (502) when it answered no usable title
     */
    public Chat generate(EffectiveState state, UUID chatId) {
        ChatThread thread = chats.get(state, chatId);
        if (!enabled(state)) {
            throw AtriumException.conflict("title_generation_disabled", "Title generation is off for you"
                    + " (setting features.titleGeneration).");
        }
        Duration limit = properties.titleTimeout();
        String title = TaskModels.within(limit, "chat-title-call-" + chatId, () -> {
            ModelResolver.ResolvedModel model = tasks.taskModel(state).orElseThrow(() -> unavailable(state));
            List<ChatMessage> messages = thread.messages().stream().map(BranchMessage::message).toList();
            int first = indexOfFirstQuestion(messages);
            if (first < 0) {
                throw AtriumException.conflict("chat_empty", "The chat has no question to make a title of yet.");
            }
            String answer = first + 1 < messages.size() && messages.get(first + 1).role() == MessageRole.ASSISTANT
                    ? messages.get(first + 1).content() : "";
            return title(state, model, messages.get(first).content(), answer, limit);
        }).orElseThrow(() -> new AtriumException(HttpStatus.GATEWAY_TIMEOUT, ProviderFailure.TIMEOUT,
                "The title model did not answer within " + limit.toMillis() + " ms."));
        if (title.isEmpty()) {
            throw new AtriumException(HttpStatus.BAD_GATEWAY, ProviderFailure.INVALID_RESPONSE,
                    "The title model answered no usable title.");
        }
        Chat changed = chats.update(state, chatId, new ChatChanges(title, null, null));
        live.titled(new ChatLiveEvents.Titled(chatId, state.caller().userId(), changed.title()));
        LogEvents.info(log, "chat.title.generated").addKeyValue("chat_id", chatId).addKeyValue("by", "request").log();
        return changed;
    }

    /** The automatic title, on its own thread. @return whether a title was saved */
    private Boolean automatic(EffectiveState state, ChatMessage answer, ChatMessage question) {
        UUID chatId = answer.chatId();
        UUID owner = state.caller().userId();
        Optional<ModelResolver.ResolvedModel> model = tasks.taskModel(state);
        if (model.isEmpty()) {
            skipped(chatId, "no_title_model");
            return false;
        }
        Optional<Chat> chat = store.find(chatId, owner);
        if (chat.isEmpty() || !chat.get().title().isEmpty()) {
            return false;
        }
        String title = title(state, model.get(), question.content(), answer.content(), properties.titleTimeout());
        if (title.isEmpty()) {
            skipped(chatId, "empty_title");
            return false;
        }
        boolean saved = store.titleIfUntitled(chatId, owner, title);
        if (saved) {
            live.titled(new ChatLiveEvents.Titled(chatId, owner, title));
        }
        LogEvents.info(log, saved ? "chat.title.generated" : "chat.title.skipped").addKeyValue("chat_id", chatId)
                .addKeyValue(saved ? "by" : "reason", saved ? "answer" : "titled_meanwhile").log();
        return saved;
    }

    /** Asks the task model; @return the cleaned title, possibly empty */
    private String title(EffectiveState state, ModelResolver.ResolvedModel model, String question, String answer,
                         Duration limit) {
        String conversation = "Question:\n" + TaskModels.bounded(question, MAX_PROMPT_PART)
                + (answer.isBlank() ? "" : "\n\nAnswer:\n" + TaskModels.bounded(answer, MAX_PROMPT_PART));
        ChatRequest request = ChatRequest.of(model.model(), List.of(
                        org.atrium.providers.ChatMessage.system(INSTRUCTIONS),
                        org.atrium.providers.ChatMessage.user(conversation)))
                .withParameters(0.2, null, properties.titleMaxTokens(), List.of(), null);
        return clean(tasks.call(state, model, request, limit, "title").text());
    }

    /**
     * A title as the model wrote it, made fit for a chat: its first non-blank line, without a "Title:" label,
     * Markdown marks, surrounding quotes, a final period, control and bidirectional override characters; spaces
     * collapsed; at most {@link ChatService#MAX_TITLE_LENGTH} characters.
     */
    static String clean(@Nullable String raw) {
        if (raw == null) {
            return "";
        }
        String line = raw.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        String text = line.replaceAll("[\\p{Cntrl}\\u202A-\\u202E\\u2066-\\u2069]", " ")
                .replaceFirst("(?i)^\\s*title\\s*:", "")
                .replaceAll("\\s+", " ").strip();
        String previous;
        do {
            previous = text;
            text = text.replaceAll("^[#*_>\\s]+", "").replaceAll("[*_\\s.]+$", "");
            if (text.length() >= 2 && QUOTES.indexOf(text.charAt(0)) >= 0
                    && QUOTES.indexOf(text.charAt(text.length() - 1)) >= 0) {
                text = text.substring(1, text.length() - 1);
            }
        } while (!text.equals(previous));
        return TaskModels.bounded(text, ChatService.MAX_TITLE_LENGTH).strip();
    }

    private static int indexOfFirstQuestion(List<ChatMessage> messages) {
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role() == MessageRole.USER) {
                return i;
            }
        }
        return -1;
    }

    private static boolean enabled(EffectiveState state) {
        return state.setting(SettingKey.TITLE_GENERATION).value().asBoolean(false);
    }

    private static AtriumException unavailable(EffectiveState state) {
        String wanted = state.setting(SettingKey.TITLE_MODEL).value().asString("");
        return new AtriumException(HttpStatus.UNPROCESSABLE_CONTENT, "title_model_unavailable", "The title model '"
                + wanted + "' (setting features.titleModel) is not among the models available to you, so titles"
                + " are off; an admin may choose another.");
    }

    private static void skipped(UUID chatId, String reason) {
        LogEvents.info(log, "chat.title.skipped").addKeyValue("chat_id", chatId).addKeyValue("reason", reason).log();
    }
}
