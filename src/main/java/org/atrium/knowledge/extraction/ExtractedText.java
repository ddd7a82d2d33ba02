package org.atrium.knowledge.extraction;

/**
 * The text of a document, as {@link TextExtractor#extract} found it.
 *
 * @param mediaType the type it was read as (given to {@link TextExtractor#extract(java.io.InputStream, String)}, or
 *                  detected from the content), without parameters, for example {@code application/pdf}
 * @param text      the extracted text, never blank, with line breaks normalised to {@code \n} and any NUL replaced
 *                  by U+FFFD (PostgreSQL's text cannot hold it)
 */
public record ExtractedText(String mediaType, String text) {
}
