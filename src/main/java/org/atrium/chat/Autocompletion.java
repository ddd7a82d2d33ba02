package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.Schema;
import org.atrium.models.ModelResolver;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.UntrustedText;
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

/**
 * Autocompletion: the next few words of what the caller is typing, written by the task model ({@link TaskModels}:
 * {@code features.titleModel}, there is no setting of its own) or by a model of their catalogue they name.
 *
 * <p>Off unless the caller's effective {@code features.autocompletion} is on (off by default; an admin turns it on
 * for the instance or a group). It answers within {@code atrium.chat.tasks.autocompletion-timeout}, model lookup and
 * call together, or not at all: past the limit the upstream call is cancelled and there is no suggestion. The text
 * is bounded ({@link #MAX_TEXT_LENGTH}), the context of a chat too (its last {@link #CONTEXT_MESSAGES} messages on
 * the branch shown, {@link #CONTEXT_CHARACTERS} characters each), and the output in tokens
 * ({@code autocompletion-max-tokens}) and characters ({@link #MAX_COMPLETION_LENGTH}).
 */
@Service
public class Autocompletion {

    /** Longest text to complete, in characters. */
    public static final int MAX_TEXT_LENGTH = 4_000;
    /** Longest suggestion, in characters; what goes beyond is cut. */
    public static final int MAX_COMPLETION_LENGTH = 1_000;
    /** Messages of a chat sent as context, the last of the branch shown. */
    static final int CONTEXT_MESSAGES = 4;
    /** Characters of each context message sent (its end). */
    static final int CONTEXT_CHARACTERS = 1_000;
    private static final String INSTRUCTIONS = "You are an autocompletion engine. The user is typing a message."
            + " Reply with only the words that continue their text, as they would type them: do not repeat their"
            + " text, add no quotes and no explanation.";
    private static final Logger log = LoggerFactory.getLogger(Autocompletion.class);

    /**
     * A suggestion.
     *
     * @param completion the text that continues the caller's
     * @param model      the catalogue id of the model that wrote it
     */
    @Schema(description = "A suggestion: the words that continue the caller's text.")
    public record Suggestion(@Schema(example = " require lab coats and goggles?") String completion,
                             @Schema(example = "google/gemini-2.5-flash-lite") String model) {
    }

    private final ChatService chats;
    private final TaskModels tasks;
    private final TaskProperties properties;

    Autocompletion(ChatService chats, TaskModels tasks, TaskProperties properties) {
        this.chats = chats;
        this.tasks = tasks;
        this.properties = properties;
    }

    /**
     * Suggests how the caller's text goes on.
     *
     * @param state   the caller's effective state
     * @param chatId  the chat the text is written in (its last messages are context), or {@code null}
     * @param text    what the caller typed so far
     * @param modelId a model of the caller's catalogue, or {@code null} for the task model
     * @return the suggestion, or empty when none came within the limit (or the model suggested nothing)
     * @throws AtriumException {@code autocompletion_disabled} (403); {@code validation_failed} (400) for a blank or
     *                         too long text; {@code chat_not_found} or {@code model_not_found} (404);
     *                         {@code autocompletion_model_unavailable} (422) when no model is named and the task
     *                         model is not in the caller's catalogue; {@code quota_exceeded} (429); the provider's
     *                         failure other than a timeout
     */
    public Optional<Suggestion> complete(EffectiveState state, @Nullable UUID chatId, String text,
                                         @Nullable String modelId) {
        long started = System.nanoTime();
        if (!state.setting(SettingKey.AUTOCOMPLETION).value().asBoolean(false)) {
            throw AtriumException.forbidden("autocompletion_disabled", "Autocompletion is off for you (setting"
                    + " features.autocompletion); an admin may turn it on for the instance or your group.");
        }
        if (text.isBlank() || text.length() > MAX_TEXT_LENGTH) {
            throw AtriumException.invalidField("text", "must be 1 to " + MAX_TEXT_LENGTH + " characters, not blank");
        }
        UntrustedText.problem(text).ifPresent(problem -> {
            throw AtriumException.invalidField("text", problem);
        });
        String context = chatId == null ? "" : context(chats.get(state, chatId));
        Duration limit = properties.autocompletionTimeout();
        Optional<Suggestion> suggestion;
        try {
            suggestion = TaskModels.within(limit, "autocompletion", () -> {
                ModelResolver.ResolvedModel model = modelId != null ? tasks.resolve(state, modelId)
                        : tasks.taskModel(state).orElseThrow(() -> unavailable(state));
                String prompt = (context.isEmpty() ? "" : "The chat so far:\n" + context + "\n\n")
                        + "The user's text so far:\n" + text;
                ChatRequest request = ChatRequest.of(model.model(), List.of(
                                org.atrium.providers.ChatMessage.system(INSTRUCTIONS),
                                org.atrium.providers.ChatMessage.user(prompt)))
                        .withParameters(0.2, null, properties.autocompletionMaxTokens(), List.of(), null);
                String completion = clean(tasks.call(state, model, request, limit, "autocompletion").text());
                return new Suggestion(completion, model.id());
            });
        } catch (ProviderFailure failure) {
            if (!failure.code().equals(ProviderFailure.TIMEOUT) && !failure.code().equals(ProviderFailure.CANCELLED)) {
                throw failure;
            }
            suggestion = Optional.empty();
        }
        Optional<Suggestion> result = suggestion.filter(s -> !s.completion().isEmpty());
        LogEvents.info(log, "chat.autocompletion.answered").addKeyValue("suggested", result.isPresent())
                .addKeyValue("timed_out", suggestion.isEmpty())
                .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        return result;
    }

    /** The last messages of the branch shown, each as {@code role: text} with its last characters. */
    private static String context(ChatThread thread) {
        List<ChatMessage> messages = thread.messages().stream().map(BranchMessage::message)
                .filter(m -> !m.content().isBlank() && m.role() != MessageRole.SYSTEM).toList();
        StringBuilder context = new StringBuilder();
        for (ChatMessage message : messages.subList(Math.max(0, messages.size() - CONTEXT_MESSAGES),
                messages.size())) {
            String content = message.content();
            int from = Math.max(0, content.length() - CONTEXT_CHARACTERS);
            if (from > 0 && Character.isLowSurrogate(content.charAt(from))) {
                from++;
            }
            context.append(message.role().value()).append(": ").append(content, from, content.length()).append('\n');
        }
        return context.toString().strip();
    }

    /** The suggestion without control characters (line breaks and tabs kept), trailing spaces, or excess length. */
    static String clean(@Nullable String raw) {
        if (raw == null) {
            return "";
        }
        String text = raw.replaceAll("[\\p{Cntrl}&&[^\\n\\t]]|[\\u202A-\\u202E\\u2066-\\u2069]", "").stripTrailing();
        return TaskModels.bounded(text, MAX_COMPLETION_LENGTH);
    }

    private static AtriumException unavailable(EffectiveState state) {
        String wanted = state.setting(SettingKey.TITLE_MODEL).value().asString("");
        return new AtriumException(HttpStatus.UNPROCESSABLE_CONTENT, "autocompletion_model_unavailable",
                "The task model '" + wanted + "' (setting features.titleModel) is not among the models available to"
                        + " you; name a model of your catalogue, or ask an admin to choose another task model.");
    }
}
