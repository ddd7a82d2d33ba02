package org.atrium.chat;

import java.util.Map;

/**
 * What an answer is generated with, recorded when it starts.
 *
 * @param model      the model's id in the catalogue
 * @param connection the provider connection
 * @param parameters the generation parameters (temperature, max tokens, ...): a JSON object
 */
public record AnswerStart(String model, String connection, Map<String, Object> parameters) {
}
