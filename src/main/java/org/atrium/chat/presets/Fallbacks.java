package org.atrium.chat.presets;

import org.atrium.models.ModelResolver;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ProviderFailure;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The fallback models of one answer, tried in order when the model answering fails before the first byte of the
 * answer was sent: unreachable, 5xx, 429, a timeout before the first token, or its circuit open (the failures
 * {@link ProviderFailure#retryable()} names, once the provider call's own retries are spent). A fallback model the
 * caller may not use (any more) is skipped. Switching records the model on the answer in progress, so that the stored
 * answer names the model that made it. Used by the answer's generator thread only.
 */
public final class Fallbacks {

    /** No fallback model. */
    public static final Fallbacks NONE = new Fallbacks(null, null, null, List.of());

    private static final Logger log = LoggerFactory.getLogger(Fallbacks.class);

    private final @Nullable ModelResolver resolver;
    private final @Nullable EffectiveState state;
    private final @Nullable AnswerModels answers;
    private final List<String> ids;
    private int next;

    Fallbacks(@Nullable ModelResolver resolver, @Nullable EffectiveState state, @Nullable AnswerModels answers,
              List<String> ids) {
        this.resolver = resolver;
        this.state = state;
        this.answers = answers;
        this.ids = List.copyOf(ids);
    }

    /** @return the catalogue ids, in the order they are tried */
    public List<String> ids() {
        return ids;
    }

    /**
     * The model to try next after a failure before the first byte, recorded on the answer.
     *
     * @param answerId the answer in progress
     * @param failed   the model that failed
     * @param why      how it failed
     * @return the next fallback model the caller may use, or empty when the failure is not one to fall back on (the
     *         request, the credential or a stop is at fault) or none is left
     */
    public Optional<ModelResolver.ResolvedModel> next(UUID answerId, ModelResolver.ResolvedModel failed,
                                                      ProviderFailure why) {
        if (!why.retryable() || next >= ids.size()) {
            return Optional.empty();
        }
        while (next < ids.size()) {
            String id = ids.get(next++);
            ModelResolver.ResolvedModel model;
            try {
                model = Objects.requireNonNull(resolver).resolve(Objects.requireNonNull(state), id);
            } catch (AtriumException unavailable) {
                LogEvents.info(log, "chat.answer.fallback.skipped").addKeyValue("message_id", answerId)
                        .addKeyValue("model", id).addKeyValue("reason", unavailable.code()).log();
                continue;
            }
            Objects.requireNonNull(answers).switchModel(answerId, model.id(), model.connection());
            LogEvents.warn(log, "chat.answer.fallback").addKeyValue("message_id", answerId)
                    .addKeyValue("from", failed.id()).addKeyValue("to", model.id())
                    .addKeyValue("reason", why.code()).log();
            return Optional.of(model);
        }
        return Optional.empty();
    }

    /** @return the request for another model, the same otherwise */
    public static ChatRequest forModel(ChatRequest request, String model) {
        return new ChatRequest(model, request.messages(), request.tools(), request.toolChoice(),
                request.responseFormat(), request.temperature(), request.topP(), request.maxTokens(), request.stop(),
                request.seed());
    }
}
