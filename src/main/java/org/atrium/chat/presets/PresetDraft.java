package org.atrium.chat.presets;

import org.atrium.chat.AnswerParameters;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * What to create or change in a preset. For a change, each null field keeps its value (a given list or parameters
 * object replaces the whole of it); for a creation only {@code name} and {@code baseModel} are required.
 *
 * @param name           its name, 1 to 200 characters
 * @param baseModel      a catalogue id {@code <connection>/<model>}, not a preset
 * @param systemPrompt   at most 20,000 characters
 * @param parameters     default parameters
 * @param knowledge      default knowledge, which the caller must be able to read
 * @param fallbackModels at most 3 catalogue ids, distinct, not the base model, not presets
 */
public record PresetDraft(@Nullable String name, @Nullable String baseModel, @Nullable String systemPrompt,
                          @Nullable AnswerParameters parameters, @Nullable PresetKnowledge knowledge,
                          @Nullable List<String> fallbackModels) {
}
