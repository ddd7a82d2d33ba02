package org.atrium.knowledge.extraction;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.atrium.testing.Documents;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chunking on randomized texts (fixed seeds, so failures reproduce) and on texts built to have a known shape.
 */
class TokenChunkerTest {

    private static final String[] WORDS = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "a", "of",
            "internationalization", "electroencephalography", "naïve", "Grüße", "café", "straße", "Ünïcödé", "東京",
            "日本語の文章", "😀", "x😀y", "don't", "e-mail", "3.14", "U.S.", "co-operate", "(aside)", "\"quoted\"",
            "résumé", "Ελληνικά", "русский", "2024-06-01", "https://example.org/a/b?c=d", "C++", "#hashtag"};

    // ---------------------------------------------------------------- invariants on random text

    @ParameterizedTest(name = "chunk {0}, overlap {1}")
    @CsvSource({"16, 0", "16, 7", "64, 16", "256, 32", "512, 0", "512, 100"})
    void chunksAreExactSpansWithinTheLimitCoveringTheText(int chunkTokens, int overlapTokens) {
        TokenChunker chunker = new TokenChunker(chunkTokens, overlapTokens);
        for (long seed = 1; seed <= 5; seed++) {
            String text = randomText(seed, 20_000);
            List<TextChunk> chunks = chunker.chunk(text);

            assertThat(chunks).isNotEmpty();
            boolean[] covered = new boolean[text.length()];
            for (int i = 0; i < chunks.size(); i++) {
                TextChunk chunk = chunks.get(i);
                assertThat(chunk.index()).isEqualTo(i);
                assertThat(chunk.text()).isEqualTo(text.substring(chunk.startChar(), chunk.endChar())).isNotBlank();
                assertThat(chunk.tokenCount()).isBetween(1, chunkTokens);
                assertThat(chunker.countTokens(chunk.text())).isEqualTo(chunk.tokenCount());
                if (i > 0) {
                    TextChunk previous = chunks.get(i - 1);
                    assertThat(chunk.startChar()).isGreaterThan(previous.startChar());
                    assertThat(chunk.endChar()).isGreaterThan(previous.endChar());
                }
                for (int c = chunk.startChar(); c < chunk.endChar(); c++) {
                    covered[c] = true;
                }
            }
            for (int c = 0; c < text.length(); c++) {
                if (!covered[c]) {
                    assertThat(Character.isWhitespace(text.charAt(c)))
                            .as("seed %d: uncovered character %d '%s'", seed, c, text.charAt(c)).isTrue();
                }
            }
        }
    }

    @ParameterizedTest(name = "chunk {0}, overlap {1}")
    @CsvSource({"16, 7", "64, 16", "256, 32", "512, 100"})
    void consecutiveChunksShareAboutTheOverlap(int chunkTokens, int overlapTokens) {
        TokenChunker chunker = new TokenChunker(chunkTokens, overlapTokens);
        String text = randomText(7, 50_000);
        List<TextChunk> chunks = chunker.chunk(text);

        for (int i = 1; i < chunks.size(); i++) {
            TextChunk previous = chunks.get(i - 1);
            TextChunk chunk = chunks.get(i);
            // The next chunk starts between words, so the overlap is off by up to half the longest word (a URL here).
            int shared = chunk.startChar() < previous.endChar()
                    ? chunker.countTokens(text.substring(chunk.startChar(), previous.endChar())) : 0;
            assertThat(shared).as("chunk %d", i).isBetween(overlapTokens - 8, overlapTokens + 8);
        }
    }

    @Test
    void withoutOverlapChunksFollowOneAnother() {
        TokenChunker chunker = new TokenChunker(64, 0);
        String text = randomText(11, 30_000);
        List<TextChunk> chunks = chunker.chunk(text);

        for (int i = 1; i < chunks.size(); i++) {
            assertThat(chunks.get(i).startChar()).isGreaterThanOrEqualTo(chunks.get(i - 1).endChar());
            assertThat(text.substring(chunks.get(i - 1).endChar(), chunks.get(i).startChar())).isBlank();
        }
        assertThat(chunks.stream().mapToInt(TextChunk::tokenCount).sum()).isEqualTo(chunker.countTokens(text));
    }

    @Test
    void chunksNeverStartOrEndInsideAWord() {
        TokenChunker chunker = new TokenChunker(32, 8);
        for (long seed = 1; seed <= 5; seed++) {
            String text = randomText(seed, 20_000);
            for (TextChunk chunk : chunker.chunk(text)) {
                assertThat(betweenWords(text, chunk.startChar()))
                        .as("seed %d, start of chunk %d: %s", seed, chunk.index(), chunk.text()).isTrue();
                assertThat(betweenWords(text, chunk.endChar()))
                        .as("seed %d, end of chunk %d: %s", seed, chunk.index(), chunk.text()).isTrue();
            }
        }
    }

    @Test
    void sameTextAndParametersGiveTheSameChunks() {
        String text = randomText(3, 40_000);

        List<TextChunk> first = new TokenChunker(128, 24).chunk(text);
        List<TextChunk> second = new TokenChunker(128, 24).chunk(text);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void chunkingIsThreadSafe() throws Exception {
        TokenChunker chunker = new TokenChunker(100, 20);
        List<String> texts = List.of(randomText(21, 30_000), randomText(22, 30_000), randomText(23, 30_000));
        List<List<TextChunk>> expected = texts.stream().map(chunker::chunk).toList();

        try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int which = i % texts.size();
                results.add(threads.submit(() -> chunker.chunk(texts.get(which)).equals(expected.get(which))));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }

    // ---------------------------------------------------------------- texts of a known shape

    @Test
    void shortTextIsOneChunkWithoutSurroundingWhitespace() {
        List<TextChunk> chunks = new TokenChunker(64, 8).chunk("  \n Hello world.\n\n");

        assertThat(chunks).containsExactly(new TextChunk(0, "Hello world.", 4, 16, 3));
    }

    @Test
    void emptyOrWhitespaceTextHasNoChunks() {
        TokenChunker chunker = new TokenChunker(64, 8);

        assertThat(chunker.chunk("")).isEmpty();
        assertThat(chunker.chunk(" \n\t\r\n\u00A0\u3000 ")).isEmpty();
        assertThat(chunker.countTokens("")).isZero();
        assertThat(chunker.countTokens("Hello world.")).isEqualTo(3);
    }

    @Test
    void unicodeSpansPointAtTheRightCharacters() {
        TokenChunker chunker = new TokenChunker(16, 4);
        String text = (Documents.UNICODE + " 😀 x😀y 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 é (e and a combining accent) ").repeat(20);

        List<TextChunk> chunks = chunker.chunk(text);

        assertThat(chunks).hasSizeGreaterThan(20);
        for (TextChunk chunk : chunks) {
            assertThat(chunk.text()).isEqualTo(text.substring(chunk.startChar(), chunk.endChar()));
            assertThat(Character.isLowSurrogate(text.charAt(chunk.startChar()))).isFalse();
            assertThat(Character.isHighSurrogate(text.charAt(chunk.endChar() - 1))).isFalse();
        }
        assertThat(chunks.get(0).text()).startsWith("Grüße, naïve café — 東京 😀 x😀y");
    }

    @Test
    void chunksEndAtParagraphsWhenOneIsNearTheLimit() {
        TokenChunker chunker = new TokenChunker(100, 10);
        StringBuilder text = new StringBuilder();
        for (int paragraph = 0; paragraph < 30; paragraph++) {
            // About 90 tokens: a paragraph break lands in the last fifth of each window.
            text.append("Paragraph ").append(paragraph).append(" begins here.");
            text.append(" The quick brown fox jumps over the lazy dog.".repeat(8)).append("\n\n");
        }

        List<TextChunk> chunks = chunker.chunk(text.toString());

        for (TextChunk chunk : chunks.subList(0, chunks.size() - 1)) {
            assertThat(text.substring(chunk.endChar())).as("after chunk %d", chunk.index()).startsWith("\n\n");
        }
    }

    @Test
    void chunksEndAtSentencesWhenOneIsNearTheLimit() {
        TokenChunker chunker = new TokenChunker(64, 8);
        Random random = new Random(5);
        StringBuilder text = new StringBuilder();
        for (int sentence = 0; sentence < 200; sentence++) {
            int words = 3 + random.nextInt(8);
            for (int w = 0; w < words; w++) {
                text.append(w == 0 ? "Some" : " word");
            }
            text.append(random.nextBoolean() ? ". " : "? ");
        }

        List<TextChunk> chunks = chunker.chunk(text.toString());

        for (TextChunk chunk : chunks.subList(0, chunks.size() - 1)) {
            assertThat(chunk.text()).as("chunk %d", chunk.index()).matches("(?s).*[.?]");
            assertThat(chunk.tokenCount()).isGreaterThanOrEqualTo(64 - 64 / 5);
        }
    }

    @Test
    void aWordLongerThanAChunkIsCut() {
        TokenChunker chunker = new TokenChunker(16, 4);
        String text = "Before the long word " + "a-".repeat(200) + "z and after it.";

        List<TextChunk> chunks = chunker.chunk(text);

        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.tokenCount()).isBetween(1, 16));
        assertThat(chunks.getLast().text()).endsWith("z and after it.");
        assertThat(String.join("", chunks.stream().map(TextChunk::text).toList())).contains("a-a-a-");
        for (int i = 1; i < chunks.size(); i++) {
            assertThat(chunks.get(i).startChar()).isLessThanOrEqualTo(chunks.get(i - 1).endChar());
        }
    }

    @Test
    void chineseTextWithoutSpacesIsCutBetweenIdeographs() {
        TokenChunker chunker = new TokenChunker(16, 4);
        String text = "東京は日本の首都です。大阪は商業の中心地です。".repeat(30);

        List<TextChunk> chunks = chunker.chunk(text);

        assertThat(chunks).hasSizeGreaterThan(10)
                .allSatisfy(chunk -> assertThat(chunk.tokenCount()).isBetween(1, 16));
    }

    @ParameterizedTest(name = "chunk {0}, overlap {1}")
    @CsvSource({"15, 0, chunkTokens", "0, 0, chunkTokens", "64, -1, overlapTokens", "64, 32, overlapTokens",
            "16, 8, overlapTokens"})
    void invalidParametersAreRejectedByName(int chunkTokens, int overlapTokens, String named) {
        assertThatThrownBy(() -> new TokenChunker(chunkTokens, overlapTokens))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(named);
    }

    @Test
    void theLargestAcceptedParametersWork() {
        assertThat(new TokenChunker(16, 7).chunk("Hello world.")).hasSize(1);
        assertThat(new TokenChunker(64, 31).chunk(randomText(1, 5_000))).isNotEmpty();
    }

    // ---------------------------------------------------------------- windows and scale

    @Test
    void windowedTokenizationMatchesTokenizingTheWholeText() throws IOException {
        // Long enough for several windows, with a 40,000-character stretch without whitespace in the middle.
        StringBuilder builder = new StringBuilder(randomText(31, 80_000));
        builder.insert(40_000, " " + "a,b;c".repeat(8_000) + " ");
        String text = builder.toString();

        MiniLmTokenizer.Spans windowed = MiniLmTokenizer.instance().spans(text);
        CharSpan[] whole;
        try (InputStream json = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream(
                "/all-minilm-l6-v2-tokenizer.json");
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json,
                     Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"))) {
            whole = tokenizer.encode(text, false, false).getCharTokenSpans();
        }
        int[] utf16 = text.codePoints().map(Character::charCount).toArray();
        int[] offsets = new int[utf16.length + 1];
        for (int i = 0; i < utf16.length; i++) {
            offsets[i + 1] = offsets[i] + utf16[i];
        }

        assertThat(windowed.size()).isEqualTo(whole.length);
        for (int i = 0; i < whole.length; i++) {
            assertThat(windowed.start(i)).as("start of token %d", i).isEqualTo(offsets[whole[i].getStart()]);
            assertThat(windowed.end(i)).as("end of token %d", i).isEqualTo(offsets[whole[i].getEnd()]);
        }
    }

    /**
     * Chunking speed on five million characters, printed (a benchmark: {@code docs/benchmarks.md} says how to run it);
     * the chunks are still checked, the time is not.
     */
    @Test
    @Tag("benchmark")
    void fiveMegabytesAreChunked() {
        String text = randomText(99, 5_000_000);
        TokenChunker chunker = new TokenChunker(256, 32);

        long started = System.nanoTime();
        List<TextChunk> chunks = chunker.chunk(text);
        long millis = (System.nanoTime() - started) / 1_000_000;

        System.out.printf("chunking %,d characters: %,d chunks in %,d ms%n", text.length(), chunks.size(), millis);
        assertThat(chunks.getLast().endChar()).isGreaterThan(text.length() - 100);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.tokenCount()).isLessThanOrEqualTo(256));
    }

    // ---------------------------------------------------------------- helpers

    /** Words, sentences, lines and paragraphs in several scripts, with tabs and runs of spaces. */
    private static String randomText(long seed, int length) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length + 200);
        while (text.length() < length) {
            int words = 1 + random.nextInt(20);
            for (int w = 0; w < words; w++) {
                text.append(WORDS[random.nextInt(WORDS.length)]);
                text.append(w + 1 == words ? "" : random.nextInt(30) == 0 ? "  \t " : " ");
            }
            text.append(switch (random.nextInt(10)) {
                case 0 -> ".\n\n";
                case 1 -> "\n";
                case 2 -> "? ";
                case 3 -> "。";
                default -> ". ";
            });
        }
        return text.toString();
    }

    /** Whether the position lies between words: at an end of the text, next to whitespace or to a CJK character. */
    private static boolean betweenWords(String text, int position) {
        if (position == 0 || position == text.length()) {
            return true;
        }
        int before = text.codePointBefore(position);
        int after = text.codePointAt(position);
        return Character.isWhitespace(before) || Character.isWhitespace(after)
                || MiniLmTokenizer.isCjkIdeograph(before) || MiniLmTokenizer.isCjkIdeograph(after)
                || before == '。';
    }
}
