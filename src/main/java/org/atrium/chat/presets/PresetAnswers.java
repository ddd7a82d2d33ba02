package org.atrium.chat.presets;

import org.atrium.chat.AnswerParameters;
import org.atrium.models.ModelResolver;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.springframework.stereotype.Service;

import java.util.UUID;

/**
 * Turns the model an answer is asked of into how to make it: a catalogue id ({@code <connection>/<model>}) stays as
 * it is; a preset ({@code preset:<id>}, one the caller may see) becomes its base model, its parameters under the
 * request's (each parameter the request sets wins), its system prompt, its fallback models and its default knowledge.
 */
@Service
public class PresetAnswers {

    private final PresetService presets;
    private final ModelResolver resolver;
    private final AnswerModels answers;

    PresetAnswers(PresetService presets, ModelResolver resolver, AnswerModels answers) {
        this.presets = presets;
        this.resolver = resolver;
        this.answers = answers;
    }

    /**
     * @param state     the caller's effective state
     * @param modelId   the model asked for: a catalogue id or {@code preset:<id>}
     * @param requested the request's parameters
     * @return how to answer
     * @throws AtriumException {@code model_not_found} (404) for a preset that does not exist or that the caller may
     *                         not see
     */
    public PresetRun prepare(EffectiveState state, String modelId, AnswerParameters requested) {
        if (!modelId.startsWith(Preset.MODEL_PREFIX)) {
            return PresetRun.direct(modelId, requested);
        }
        Preset preset = preset(state, modelId);
        return new PresetRun(preset.baseModel(), merge(preset.parameters(), requested), preset.systemPrompt(),
                new Fallbacks(resolver, state, answers, preset.fallbackModels()), preset, preset.knowledge());
    }

    /**
     * For knowledge grounding: the default knowledge of the model an answer is asked of.
     *
     * @param state   the caller's effective state
     * @param modelId the model asked for
     * @return the preset's default knowledge; none for a catalogue model
     * @throws AtriumException {@code model_not_found} (404) for a preset the caller may not see
     */
    public PresetKnowledge knowledge(EffectiveState state, String modelId) {
        return modelId.startsWith(Preset.MODEL_PREFIX) ? preset(state, modelId).knowledge() : PresetKnowledge.NONE;
    }

    private Preset preset(EffectiveState state, String modelId) {
        UUID id;
        try {
            id = UUID.fromString(modelId.substring(Preset.MODEL_PREFIX.length()));
        } catch (IllegalArgumentException notAnId) {
            throw notFound(modelId);
        }
        return presets.find(state, id).orElseThrow(() -> notFound(modelId));
    }

    /** @return the request's parameters, each one it leaves out taken from the preset */
    static AnswerParameters merge(AnswerParameters preset, AnswerParameters request) {
        return new AnswerParameters(request.temperature() != null ? request.temperature() : preset.temperature(),
                request.topP() != null ? request.topP() : preset.topP(),
                request.maxTokens() != null ? request.maxTokens() : preset.maxTokens(),
                request.stop() != null ? request.stop() : preset.stop(),
                request.seed() != null ? request.seed() : preset.seed(),
                request.format() != null ? request.format() : preset.format());
    }

    private static AtriumException notFound(String modelId) {
        return AtriumException.notFound("model_not_found", "No model '" + modelId + "' is available to you;"
                + " GET /api/v1/models lists those that are.");
    }
}
