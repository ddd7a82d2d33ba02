/**
 * The Ollama proxy paths Open WebUI documents ({@code /ollama/api/tags}, {@code /ollama/api/chat},
 * {@code /ollama/api/generate}, {@code /ollama/api/embed}) for callers with an Ollama connection: Ollama's request and
 * answer shapes (NDJSON streams), and its errors ({@code {"error": "..."}}). A thin adapter over
 * {@link org.atrium.chat.ModelCalls} and the model catalogue. See {@code docs/compatibility.md}.
 */
@NullMarked
package org.atrium.compat.ollama;

import org.jspecify.annotations.NullMarked;
