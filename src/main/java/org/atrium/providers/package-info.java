/**
 * Providers: the connections to model providers an operator configures (any OpenAI-compatible endpoint, Ollama) plus
 * the built-in local embedding model, and the clients that call them. Embeddings today; chat completions will join
 * them here. Secrets come from the caller (the settings module resolves which credential applies) and never appear in
 * logs or failure messages.
 */
@NullMarked
@ApplicationModule(displayName = "Providers", allowedDependencies = {"platform"})
package org.atrium.providers;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
