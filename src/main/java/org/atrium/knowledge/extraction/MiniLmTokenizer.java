package org.atrium.knowledge.extraction;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;

/**
 * The WordPiece tokenizer of all-MiniLM-L6-v2 (the Hugging Face {@code tokenizers} library through DJL), loaded once
 * per JVM, answering where each token lies in a text as UTF-16 offsets. No special tokens, no truncation, no padding.
 *
 * <p>Long texts are tokenized in windows of at most {@value #WINDOW_CHARS} characters, because the native tokenizer
 * slows down more than linearly on very long inputs and holds a whole input's encoding in memory at once. Windows are
 * cut where BERT's pre-tokenizer splits anyway (whitespace, punctuation, CJK ideographs), so the tokens are the same
 * as for the whole text; only a run of that many characters with no such place in it is cut blindly.
 *
 * <p>Thread-safe: the native tokenizer encodes with shared, immutable state.
 */
final class MiniLmTokenizer {

    static final int WINDOW_CHARS = 32_768;

    private static final String RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;

    private MiniLmTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * @return the tokenizer, loaded on first use
     * @throws IllegalStateException (wrapped in an {@link ExceptionInInitializerError} the first time) when the
     *                               tokenizer or its native library cannot be loaded
     */
    static MiniLmTokenizer instance() {
        return Holder.INSTANCE;
    }

    /** Token positions in a text: token {@code i} covers {@code [start(i), end(i))}, in text order. */
    record Spans(int[] starts, int[] ends, int size) {

        int start(int token) {
            return starts[token];
        }

        int end(int token) {
            return ends[token];
        }
    }

    /**
     * @param text any text
     * @return where its tokens lie; characters the tokenizer drops (whitespace, control characters) are in no token
     */
    Spans spans(String text) {
        int[] starts = new int[Math.max(16, text.length() / 3)];
        int[] ends = new int[starts.length];
        int size = 0;
        int from = 0;
        while (from < text.length()) {
            int to = windowEnd(text, from);
            String window = text.substring(from, to);
            CharSpan[] spans = tokenizer.encode(window, false, false).getCharTokenSpans();
            if (size + spans.length > starts.length) {
                int capacity = Math.max(starts.length * 2, size + spans.length);
                starts = Arrays.copyOf(starts, capacity);
                ends = Arrays.copyOf(ends, capacity);
            }
            // The tokenizer answers offsets in code points; Java strings index UTF-16 units.
            int[] utf16 = codePointToUtf16(window);
            for (CharSpan span : spans) {
                starts[size] = from + (utf16 == null ? span.getStart() : utf16[span.getStart()]);
                ends[size] = from + (utf16 == null ? span.getEnd() : utf16[span.getEnd()]);
                size++;
            }
            from = to;
        }
        return new Spans(starts, ends, size);
    }

    /**
     * @param text any text
     * @return how many tokens it has, special tokens not counted
     */
    int count(String text) {
        int count = 0;
        int from = 0;
        while (from < text.length()) {
            int to = windowEnd(text, from);
            Encoding encoding = tokenizer.encode(text.substring(from, to), false, false);
            count += encoding.getIds().length;
            from = to;
        }
        return count;
    }

    /**
     * @return whether BERT's tokenizer treats the character as whitespace: a place between words that no token covers
     */
    static boolean isSpace(char c) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** @return whether BERT's pre-tokenizer always splits before this code point (punctuation or a CJK ideograph) */
    static boolean splitsBefore(int codePoint) {
        if (codePoint < 128) {
            return (codePoint >= 33 && codePoint <= 47) || (codePoint >= 58 && codePoint <= 64)
                    || (codePoint >= 91 && codePoint <= 96) || (codePoint >= 123 && codePoint <= 126);
        }
        return isCjkIdeograph(codePoint) || switch (Character.getType(codePoint)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** @return whether BERT treats the code point as a CJK ideograph: a word of its own, with no spaces around it */
    static boolean isCjkIdeograph(int cp) {
        // The ranges of the tokenizers library's is_chinese_char, gap included, so that we split exactly where it does.
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Where the window starting at {@code from} ends: at whitespace if possible, else before punctuation. */
    private static int windowEnd(String text, int from) {
        int limit = from + WINDOW_CHARS;
        if (limit >= text.length()) {
            return text.length();
        }
        int floor = from + WINDOW_CHARS / 2;
        for (int i = limit; i > floor; i--) {
            if (isSpace(text.charAt(i))) {
                return i;
            }
        }
        for (int i = limit; i > floor; i--) {
            if (!Character.isLowSurrogate(text.charAt(i)) && splitsBefore(text.codePointAt(i))) {
                return i;
            }
        }
        // Half a window with neither: no tokenization is "right" here; cut between code points.
        return Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
    }

    /** @return for each code point index (and the end), its UTF-16 index; null when the two are the same */
    private static int @Nullable [] codePointToUtf16(String window) {
        int codePoints = window.codePointCount(0, window.length());
        if (codePoints == window.length()) {
            return null;
        }
        int[] utf16 = new int[codePoints + 1];
        int index = 0;
        for (int cp = 0; cp < codePoints; cp++) {
            utf16[cp] = index;
            index += Character.charCount(window.codePointAt(index));
        }
        utf16[codePoints] = index;
        return utf16;
    }

    private static final class Holder {

        static final MiniLmTokenizer INSTANCE = load();

        private static MiniLmTokenizer load() {
            try (InputStream json = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream(RESOURCE)) {
                if (json == null) {
                    throw new IllegalStateException("The all-MiniLM-L6-v2 tokenizer (" + RESOURCE
                            + ") is not on the class path");
                }
                return new MiniLmTokenizer(HuggingFaceTokenizer.newInstance(json,
                        Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false")));
            } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                throw new IllegalStateException("Cannot load the all-MiniLM-L6-v2 tokenizer. Its native library "
                        + "unpacks into ~/.djl.ai, or into DJL_CACHE_DIR when that is set; that directory must be "
                        + "writable", e);
            }
        }
    }
}
