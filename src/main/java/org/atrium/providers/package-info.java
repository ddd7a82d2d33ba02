/**
 * Providers: the connections to model providers an operator configures (any OpenAI-compatible endpoint, Ollama,
 * Anthropic, Gemini) plus the built-in local embedding model, and the clients that call them. {@link Embedders} makes
 * embeddings; {@link ChatProviders} lists models and streams chat through one provider-neutral contract
 * ({@link ChatRequest}, {@link ChatListener}, {@link ChatResult}, {@link ProviderFailure}), each kind's wire format
 * living in its own {@code internal} subpackage. A request's {@link ToolChoice} reaches each kind in its own words
 * (OpenAI's and Anthropic's {@code tool_choice}, Gemini's {@code toolConfig.functionCallingConfig}); Ollama, which has
 * no such parameter, gets no tools for "none" and refuses "required" or a named function at once
 * ({@code provider_unsupported}). Secrets come from the caller (the settings module resolves which
 * credential applies) and never appear in logs or failure messages.
 */
@NullMarked
@ApplicationModule(displayName = "Providers", allowedDependencies = {"platform"})
package org.atrium.providers;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
