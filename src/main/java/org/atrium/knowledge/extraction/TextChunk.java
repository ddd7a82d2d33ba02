package org.atrium.knowledge.extraction;

/**
 * One chunk of a text, as {@link TokenChunker#chunk} cut it.
 *
 * @param index      its position among the text's chunks, counting from 0 without gaps
 * @param text       the chunk: exactly {@code source.substring(startChar, endChar)}
 * @param startChar  where it starts in the source text (UTF-16 index, inclusive)
 * @param endChar    where it ends in the source text (UTF-16 index, exclusive)
 * @param tokenCount how many all-MiniLM-L6-v2 tokens it holds, special tokens not counted
 */
public record TextChunk(int index, String text, int startChar, int endChar, int tokenCount) {
}
