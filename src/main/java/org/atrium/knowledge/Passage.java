package org.atrium.knowledge;

import java.util.UUID;

/**
 * A passage of a file's extracted text: what a citation points at.
 *
 * @param fileId     the file
 * @param fileName   its name
 * @param chunkIndex the chunk's position in the file
 * @param startChar  where it starts in the file's extracted text
 * @param endChar    where it ends (exclusive)
 * @param text       the passage
 */
public record Passage(UUID fileId, String fileName, int chunkIndex, int startChar, int endChar, String text) {
}
