package org.atrium.chat.presets;

import org.atrium.chat.AnswerParameters;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ResponseFormat;
import org.atrium.providers.ToolChoice;
import org.atrium.providers.ToolDefinition;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The copies of a request that presets make (another model, the preset's system prompt) keep everything else. */
class PresetRequestTest {

    private static final ChatRequest REQUEST = ChatRequest.of("base", List.of(ChatMessage.user("Weather?")))
            .withTools(List.of(new ToolDefinition("get_weather", null, JsonMapper.builder().build().createObjectNode())))
            .withToolChoice(ToolChoice.function("get_weather")).withResponseFormat(ResponseFormat.jsonObject())
            .withParameters(0.3, 0.8, 77, List.of("END"), 5L);

    @Test
    void aFallbackModelGetsTheSameRequest() {
        ChatRequest copy = Fallbacks.forModel(REQUEST, "other");

        assertThat(copy.model()).isEqualTo("other");
        assertThat(copy).usingRecursiveComparison().ignoringFields("model").isEqualTo(REQUEST);
    }

    @Test
    void thePresetsSystemPromptChangesOnlyTheMessages() {
        PresetRun run = new PresetRun("preset", AnswerParameters.DEFAULTS, "Be brief.", Fallbacks.NONE, null,
                PresetKnowledge.NONE);

        ChatRequest copy = run.apply(REQUEST);

        assertThat(copy.messages().getFirst().text()).isEqualTo("Be brief.");
        assertThat(copy).usingRecursiveComparison().ignoringFields("messages").isEqualTo(REQUEST);
    }
}
