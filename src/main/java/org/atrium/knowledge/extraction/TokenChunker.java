package org.atrium.knowledge.extraction;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into chunks of at most {@code chunkTokens} tokens, consecutive chunks overlapping by about
 * {@code overlapTokens} tokens, counting tokens with the all-MiniLM-L6-v2 WordPiece tokenizer (special tokens not
 * counted).
 *
 * <p>Chunks are exact substrings of the text, from the first character of their first token to the last character
 * of their last token, so a citation can point at the span. A chunk ends, in this order of preference: at the last
 * paragraph break, sentence end or line break in the last fifth of its window; at the last place between words; and
 * only when a single "word" (a long URL, a run of text without spaces) fills the rest of the window, inside it. The
 * next chunk starts at the place between words nearest to {@code overlapTokens} tokens before the end of the previous
 * one, so overlaps differ from the one asked for by about half a word's tokens at most. Every token of the text
 * is in at least one chunk; whitespace-only chunks do not occur; indexes count from 0 without gaps.
 *
 * <p>Deterministic: the same text and parameters give the same chunks, which lets ingestion resume a file where it
 * stopped. Linear in the length of the text (10 MB of text is fine). Thread-safe.
 */
public final class TokenChunker {

    /** The smallest chunk size accepted: below it, overlap and boundary preferences stop making sense. */
    public static final int MIN_CHUNK_TOKENS = 16;

    // How good a place between two tokens is to end a chunk; higher is better.
    private static final int NONE = 0;
    private static final int WORD = 1;
    private static final int LINE = 2;
    private static final int SENTENCE = 3;
    private static final int PARAGRAPH = 4;

    private final int chunkTokens;
    private final int overlapTokens;
    private final MiniLmTokenizer tokenizer;

    /**
     * Creates a chunker, loading the tokenizer if no chunker did before (so a broken installation fails here, at
     * startup, rather than in the first ingestion job).
     *
     * @param chunkTokens   the most tokens in a chunk, at least {@value #MIN_CHUNK_TOKENS}
     * @param overlapTokens how many tokens consecutive chunks share, from 0 to less than half of {@code chunkTokens}
     * @throws IllegalArgumentException naming the parameter that is out of range
     * @throws IllegalStateException    when the tokenizer cannot be loaded
     */
    public TokenChunker(int chunkTokens, int overlapTokens) {
        if (chunkTokens < MIN_CHUNK_TOKENS) {
            throw new IllegalArgumentException(
                    "chunkTokens must be at least " + MIN_CHUNK_TOKENS + ", was " + chunkTokens);
        }
        if (overlapTokens < 0 || 2L * overlapTokens >= chunkTokens) {
            throw new IllegalArgumentException("overlapTokens must be at least 0 and less than half of chunkTokens ("
                    + chunkTokens + "), was " + overlapTokens);
        }
        this.chunkTokens = chunkTokens;
        this.overlapTokens = overlapTokens;
        this.tokenizer = MiniLmTokenizer.instance();
    }

    /**
     * @param text the text to split
     * @return its chunks in text order; empty when the text has no tokens (empty, whitespace, control characters)
     */
    public List<TextChunk> chunk(String text) {
        MiniLmTokenizer.Spans spans = tokenizer.spans(text);
        int tokens = spans.size();
        List<TextChunk> chunks = new ArrayList<>();
        int start = 0;
        int previousEnd = 0;
        while (start < tokens) {
            int limit = Math.min(start + chunkTokens, tokens);
            // Each chunk must reach past the previous one, or a long word after a boundary would repeat chunks.
            int end = limit == tokens ? tokens : chunkEnd(text, spans, limit, previousEnd + 1);
            int startChar = spans.start(start);
            int endChar = spans.end(end - 1);
            String chunk = text.substring(startChar, endChar);
            if (!chunk.isBlank()) {
                chunks.add(new TextChunk(chunks.size(), chunk, startChar, endChar, end - start));
            }
            if (end == tokens) {
                break;
            }
            start = nextStart(text, spans, start, end);
            previousEnd = end;
        }
        return chunks;
    }

    /**
     * @param text any text
     * @return how many all-MiniLM-L6-v2 tokens it has, special tokens not counted
     */
    public int countTokens(String text) {
        return tokenizer.count(text);
    }

    /** The token index to end a chunk before, in {@code [minEnd, limit]}, both less than the number of tokens. */
    private int chunkEnd(String text, MiniLmTokenizer.Spans spans, int limit, int minEnd) {
        int floor = Math.max(minEnd, limit - Math.max(1, chunkTokens / 5));
        int sentence = -1;
        int line = -1;
        int word = -1;
        for (int end = limit; end >= floor; end--) {
            int kind = boundary(text, spans, end);
            if (kind == PARAGRAPH) {
                return end;
            }
            if (kind == SENTENCE && sentence < 0) {
                sentence = end;
            } else if (kind == LINE && line < 0) {
                line = end;
            } else if (kind == WORD && word < 0) {
                word = end;
            }
        }
        if (sentence > 0) {
            return sentence;
        }
        if (line > 0) {
            return line;
        }
        if (word > 0) {
            return word;
        }
        for (int end = floor - 1; end >= minEnd; end--) {
            if (boundary(text, spans, end) >= WORD) {
                return end;
            }
        }
        return limit;
    }

    /**
     * Where the chunk after {@code [start, end)} starts: at the place between words nearest to {@code overlapTokens}
     * before its end, sharing at most twice that many tokens, and after {@code start}.
     */
    private int nextStart(String text, MiniLmTokenizer.Spans spans, int start, int end) {
        if (overlapTokens == 0) {
            return end;
        }
        int target = Math.max(end - overlapTokens, start + 1);
        int earliest = Math.max(end - 2 * overlapTokens, start + 1);
        for (int distance = 0; target + distance <= end || target - distance >= earliest; distance++) {
            // Ties go to the later start: a little less overlap rather than more.
            int later = target + distance;
            if (later <= end && boundary(text, spans, later) >= WORD) {
                return later;
            }
            int earlier = target - distance;
            if (distance > 0 && earlier >= earliest && boundary(text, spans, earlier) >= WORD) {
                return earlier;
            }
        }
        // One word fills the whole neighbourhood, and the chunk was cut inside it: keep the overlap anyway.
        return target;
    }

    /** How good a place it is to cut between token {@code token - 1} and token {@code token}. */
    private static int boundary(String text, MiniLmTokenizer.Spans spans, int token) {
        int gapStart = spans.end(token - 1);
        int gapEnd = spans.start(token);
        int breaks = 0;
        boolean space = false;
        for (int i = gapStart; i < gapEnd && breaks < 2; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\u2028' || (c == '\r' && (i + 1 == gapEnd || text.charAt(i + 1) != '\n'))) {
                breaks++;
            } else if (c == '\u2029') {
                breaks += 2;
            }
            space |= MiniLmTokenizer.isSpace(c);
        }
        if (breaks >= 2) {
            return PARAGRAPH;
        }
        int before = text.codePointBefore(gapStart);
        int after = text.codePointAt(gapEnd);
        // Chinese and Japanese put no spaces between words; the tokenizer makes each ideograph a word of its own.
        boolean cjk = MiniLmTokenizer.isCjkIdeograph(before) || MiniLmTokenizer.isCjkIdeograph(after)
                || isCjkPunctuation(before);
        if (!space && !cjk) {
            return NONE;
        }
        if (endsSentence(text, gapStart)) {
            return SENTENCE;
        }
        return breaks == 1 ? LINE : WORD;
    }

    /** Whether the text just before {@code at} ends a sentence: a terminator, perhaps followed by closing quotes. */
    private static boolean endsSentence(String text, int at) {
        int i = at - 1;
        // Skip a few closing quotes and brackets: 'He left.") ' ends a sentence too.
        for (int skipped = 0; i > 0 && skipped < 3 && isCloser(text.charAt(i)); skipped++) {
            i--;
        }
        return switch (text.charAt(i)) {
            case '.', '!', '?', '…', '。', '！', '？', '‼', '⁇', '⁈', '⁉' -> true;
            default -> false;
        };
    }

    private static boolean isCloser(char c) {
        int type = Character.getType(c);
        return c == '"' || c == '\'' || type == Character.END_PUNCTUATION
                || type == Character.FINAL_QUOTE_PUNCTUATION;
    }

    private static boolean isCjkPunctuation(int codePoint) {
        return (codePoint >= 0x3000 && codePoint <= 0x303F) || (codePoint >= 0xFF01 && codePoint <= 0xFF65);
    }
}
