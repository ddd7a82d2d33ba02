/**
 * Turning a knowledge file's bytes into text and the text into chunks: content-type detection and text extraction
 * with Apache Tika within limits that refuse hostile documents (decompression bombs, oversized PDFs), and chunking
 * counted in the tokens of the built-in embedding model (all-MiniLM-L6-v2).
 * Internal to the knowledge module; nothing here touches the database or storage.
 */
@NullMarked
package org.atrium.knowledge.extraction;

import org.jspecify.annotations.NullMarked;
