package org.atrium.models;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AllowedModelsTest {

    private static final CatalogueModel GPT = new CatalogueModel("gateway/gpt-4o-mini", "gpt-4o-mini", "gateway",
            "config:gateway", ConnectionKind.OPENAI, null);

    @Test
    void aStarAllowsEverything() {
        assertThat(ModelCatalogue.allows(List.of("*"), GPT)).isTrue();
    }

    @Test
    void aTrailingStarIsAPrefixOfTheCatalogueOrTheProviderId() {
        assertThat(ModelCatalogue.allows(List.of("gpt-4*"), GPT)).isTrue();
        assertThat(ModelCatalogue.allows(List.of("gateway/*"), GPT)).isTrue();
        assertThat(ModelCatalogue.allows(List.of("other/*", "claude*"), GPT)).isFalse();
    }

    @Test
    void otherEntriesMustEqualTheCatalogueOrTheProviderId() {
        assertThat(ModelCatalogue.allows(List.of("gpt-4o-mini"), GPT)).isTrue();
        assertThat(ModelCatalogue.allows(List.of("gateway/gpt-4o-mini"), GPT)).isTrue();
        assertThat(ModelCatalogue.allows(List.of("gpt-4o"), GPT)).isFalse();
        assertThat(ModelCatalogue.allows(List.of("other/gpt-4o-mini"), GPT)).isFalse();
        assertThat(ModelCatalogue.allows(List.of(), GPT)).isFalse();
    }
}
