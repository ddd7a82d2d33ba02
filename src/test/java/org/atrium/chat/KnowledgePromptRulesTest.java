package org.atrium.chat;

import org.atrium.knowledge.RetrievalQuery;
import org.atrium.providers.ChatMessage;
import org.atrium.settings.KnowledgePromptTemplate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The pure rules of knowledge in chat: the template, the short-question rule, reading the task model's answer. */
class KnowledgePromptRulesTest {

    private final QueryGeneration generation = new QueryGeneration(null, null,
            new QueryGenerationProperties(Duration.ofSeconds(5), 12, 3, Duration.ofHours(1), 50, 10, 4,
                    Duration.ofSeconds(30)), JsonMapper.builder().build());

    @Test
    void theTemplateReplacesBothPlaceholdersInOnePass() {
        String rendered = KnowledgeGrounding.render("C: {{CONTEXT}} Q: {{QUERY}} again {{QUERY}}",
                "a passage naming {{QUERY}} and $1", "why?");

        assertThat(rendered).isEqualTo("C: a passage naming {{QUERY}} and $1 Q: why? again why?");
    }

    @Test
    void aTemplateWithoutTheContextPlaceholderGetsThePassagesAfterIt() {
        assertThat(KnowledgeGrounding.render("Answer {{QUERY}}", "facts", "this"))
                .isEqualTo("Answer this\n\n<context>\nfacts\n</context>");
        assertThat(KnowledgePromptTemplate.DEFAULT).contains(KnowledgePromptTemplate.CONTEXT)
                .contains(KnowledgePromptTemplate.QUERY).hasSizeLessThan(KnowledgePromptTemplate.MAX_LENGTH);
    }

    @Test
    void passagesAreKeptBestFirstWhileTheyFitAndOnlyTheFirstIsCut() {
        assertThat(KnowledgeGrounding.fit(List.of("aaaa", "bbbbbb", "cc", "d"), 7))
                .containsExactly(entry(0, "aaaa"), entry(2, "cc"), entry(3, "d"));
        assertThat(KnowledgeGrounding.fit(List.of("aaaaaaaaaa", "b"), 4)).containsExactly(entry(0, "aaaa"));
        assertThat(KnowledgeGrounding.fit(List.of(), 4)).isEmpty();
    }

    @Test
    void onlyAShortOneSentenceFirstQuestionSkipsGeneration() {
        List<ChatMessage> first = List.of(ChatMessage.user("Where do kiwis grow?"));
        assertThat(generation.isShortAndSimple(first, "Where do kiwis grow?")).isTrue();
        assertThat(generation.isShortAndSimple(first, "Kiwis. Where do they grow?")).as("two sentences").isFalse();
        assertThat(generation.isShortAndSimple(first, "Where do\nkiwis grow?")).as("two lines").isFalse();
        assertThat(generation.isShortAndSimple(first, "w ".repeat(13))).as("13 words").isFalse();
        List<ChatMessage> later = List.of(ChatMessage.user("Kiwis?"), ChatMessage.assistant("Green."),
                ChatMessage.user("Where?"));
        assertThat(generation.isShortAndSimple(later, "Where?")).as("not the first question").isFalse();
    }

    @Test
    void theTaskModelsAnswerIsReadAsAJsonListOfBoundedQueries() {
        assertThat(generation.parse("Here: {\"queries\": [\"kiwi\", \" \", \"kiwi\", \"mango\", \"a\", \"b\"]}"))
                .containsExactly("kiwi", "mango", "a");
        assertThat(generation.parse("{\"queries\": [\"" + "q".repeat(2_000) + "\"]}").getFirst())
                .hasSize(QueryGeneration.MAX_QUERY_CHARS);
        assertThat(generation.parse("kiwi, mango")).isEmpty();
        assertThat(generation.parse("{not json}")).isEmpty();
        assertThat(generation.parse("{\"queries\": \"kiwi\"}")).isEmpty();
        assertThat(RetrievalQuery.MAX_TOP_K).isGreaterThanOrEqualTo(50);
    }
}
