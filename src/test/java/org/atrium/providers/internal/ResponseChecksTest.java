package org.atrium.providers.internal;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a provider answers is checked before anyone stores it. */
class ResponseChecksTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void vectorsOfDifferentDimensionsAreUnusable() {
        assertThat(Texts.problem(List.of(new float[3], new float[4]), 2))
                .isEqualTo("its vectors have different dimensions (3 and 4)");
        assertThat(Texts.problem(List.of(new float[3], new float[3]), 2)).isNull();
    }

    @Test
    void openAiIndexesMustCoverEveryTextOnce() {
        var api = new EmbeddingsApi.OpenAi();
        String duplicate = """
                {"data":[{"index":0,"embedding":[1,2]},{"index":0,"embedding":[3,4]}]}""";

        assertThatThrownBy(() -> api.vectors(json.readTree(duplicate)))
                .hasMessage("the indexes of 'data' are not 0 to 1, each once");
        assertThatThrownBy(() -> api.vectors(json.readTree("""
                {"data":[{"index":0,"embedding":"AAAA"}]}""")))
                .hasMessageContaining("encoding_format=float");
        assertThat(api.vectors(json.readTree("""
                {"data":[{"index":1,"embedding":[3,4]},{"index":0,"embedding":[1,2.5]}]}""")))
                .containsExactly(new float[]{1, 2.5f}, new float[]{3, 4});
    }

    @Test
    void providerMessagesAreFoundShortenedAndRedacted() {
        assertThat(ProviderErrors.providerMessage("""
                {"error":{"message":"Incorrect API key provided: sk-secret.","type":"invalid_request_error"}}"""
                .getBytes(), json, "sk-secret")).isEqualTo("Incorrect API key provided: [redacted].");
        assertThat(ProviderErrors.providerMessage("{\"error\":\"model \\\"x\\\" not found\"}".getBytes(), json, null))
                .isEqualTo("model \"x\" not found");
        assertThat(ProviderErrors.providerMessage("{\"detail\":\"Not Found\"}".getBytes(), json, null))
                .isEqualTo("Not Found");
        assertThat(ProviderErrors.providerMessage("<html><body><h1>502 Bad\n Gateway</h1></body></html>".getBytes(),
                json, null)).isEqualTo("502 Bad Gateway");
        assertThat(ProviderErrors.providerMessage("x".repeat(1000).getBytes(), json, null)).hasSize(300).endsWith("…");
    }
}
