package org.atrium.chat.presets;

import org.atrium.platform.AtriumException;

import java.util.HashSet;
import java.util.List;

/** The bounds of a preset's fields, checked before anything is written. */
final class PresetRules {

    private PresetRules() {
    }

    static String name(String name) {
        String stripped = name.strip();
        if (stripped.isEmpty() || stripped.length() > Preset.MAX_NAME_LENGTH) {
            throw AtriumException.invalidField("name", "must be 1 to " + Preset.MAX_NAME_LENGTH + " characters");
        }
        return stripped;
    }

    static String prompt(String prompt) {
        if (prompt.length() > Preset.MAX_SYSTEM_PROMPT_LENGTH) {
            throw AtriumException.invalidField("systemPrompt", "must be at most " + Preset.MAX_SYSTEM_PROMPT_LENGTH
                    + " characters");
        }
        return prompt.strip();
    }

    /** A catalogue id, {@code <connection>/<model>}: whether the user may use it is checked at each answer. */
    static String model(String field, String id) {
        int slash = id.indexOf('/');
        if (id.length() > 200 || slash <= 0 || slash == id.length() - 1 || id.startsWith(Preset.MODEL_PREFIX)
                || !id.strip().equals(id)) {
            throw AtriumException.invalidField(field, "must be a model's catalogue id, <connection>/<model>, at most"
                    + " 200 characters (not a preset)");
        }
        return id;
    }

    static List<String> fallbacks(String base, List<String> fallbacks) {
        if (fallbacks.size() > Preset.MAX_FALLBACK_MODELS) {
            throw AtriumException.invalidField("fallbackModels", "must hold at most " + Preset.MAX_FALLBACK_MODELS
                    + " models");
        }
        fallbacks.forEach(id -> model("fallbackModels", id));
        if (new HashSet<>(fallbacks).size() != fallbacks.size() || fallbacks.contains(base)) {
            throw AtriumException.invalidField("fallbackModels", "must be distinct and not the base model");
        }
        return List.copyOf(fallbacks);
    }
}
