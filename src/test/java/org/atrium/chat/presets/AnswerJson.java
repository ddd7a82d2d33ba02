package org.atrium.chat.presets;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON for the tests of this package. */
final class AnswerJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AnswerJson() {
    }

    static String write(Object value) {
        return JSON.writeValueAsString(value);
    }

    static JsonNode read(String text) {
        return JSON.readTree(text);
    }
}
