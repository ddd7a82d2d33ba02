package org.atrium.knowledge.extraction;

/**
 * The text of a document, as {@link TextExtractor#extract} found it.
 *
 * @param mediaType the type detected from the content, without parameters, for example {@code application/pdf}
 * @param text      the extracted text, never blank, with line breaks normalised to {@code \n}
 */
public record ExtractedText(String mediaType, String text) {
}
