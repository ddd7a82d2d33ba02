package org.atrium.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a task model writes, made fit for a title or a suggestion. */
class TaskTextTest {

    @Test
    void aTitleIsTheFirstLineWithoutLabelQuotesMarkdownOrAFinalPeriod() {
        assertThat(TitleGeneration.clean("\n\nTitle: \"Lab coat rules.\"\nA second line")).isEqualTo("Lab coat rules");
        assertThat(TitleGeneration.clean("**\u201CKiwi  salad\u201D**")).isEqualTo("Kiwi salad");
        assertThat(TitleGeneration.clean("# \"Granite\" facts")).isEqualTo("\"Granite\" facts");
        assertThat(TitleGeneration.clean("'Lab coats'.")).isEqualTo("Lab coats");
        assertThat(TitleGeneration.clean("  \n \t ")).isEmpty();
        assertThat(TitleGeneration.clean(null)).isEmpty();
    }

    @Test
    void aTitleLosesControlAndBidirectionalOverrideCharactersAndIsBounded() {
        assertThat(TitleGeneration.clean("Safe\u202Etxt.exe\u0007 name")).isEqualTo("Safe txt.exe name")
                .matches(org.atrium.platform.UntrustedText.DISPLAY_NAME_PATTERN);
        String longTitle = "a".repeat(ChatService.MAX_TITLE_LENGTH - 1) + "\uD83D\uDE00" + "b";
        String bounded = TitleGeneration.clean(longTitle);
        assertThat(bounded).hasSize(ChatService.MAX_TITLE_LENGTH - 1).doesNotContain("\uD83D");
    }

    @Test
    void aSuggestionKeepsItsLeadingSpaceAndLineBreaksButNoControlCharacters() {
        assertThat(Autocompletion.clean(" need lab coats?\u0007\n")).isEqualTo(" need lab coats?");
        assertThat(Autocompletion.clean("one\ntwo\u202E")).isEqualTo("one\ntwo");
        assertThat(Autocompletion.clean("x".repeat(Autocompletion.MAX_COMPLETION_LENGTH + 10)))
                .hasSize(Autocompletion.MAX_COMPLETION_LENGTH);
    }
}
