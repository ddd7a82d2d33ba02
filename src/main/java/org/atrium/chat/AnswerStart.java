package org.atrium.chat;

import org.jspecify.annotations.Nullable;

import java.util.Map;
import java.util.UUID;

/**
 * What an answer is generated with, recorded when it starts.
 *
 * @param model      the model's id in the catalogue
 * @param connection the provider connection
 * @param parameters the generation parameters (temperature, max tokens, ...): a JSON object
 * @param presetId   the preset the answer was asked of, or {@code null} for a catalogue model
 * @param tools      the tools offered, or {@code null} for none
 */
public record AnswerStart(String model, String connection, Map<String, Object> parameters,
                          @Nullable UUID presetId, @Nullable AnswerTools tools) {

    /** @return the start of an answer asked of a catalogue model, without tools */
    public static AnswerStart of(String model, String connection, Map<String, Object> parameters) {
        return new AnswerStart(model, connection, parameters, null, null);
    }
}
