/**
 * Compatibility APIs: the wire formats other tools already speak, translated onto Atrium's own services so that
 * scripts written for them keep working with only the base URL and the key changed. {@code compat.openai} serves the
 * OpenAI-compatible API ({@code /v1/...}, and the same under {@code /api/...} as Open WebUI offers it);
 * {@code compat.openwebui} serves Open WebUI's documented API-key endpoints for files and knowledge,
 * {@code compat.anthropic} Anthropic's Messages API as Open WebUI offers it ({@code /api/v1/messages}),
 * {@code compat.ollama} the Ollama proxy paths ({@code /ollama/api/...}); {@code compat.wire} is what their wire shapes
 * share (errors rewritten into each shape, the answer's output and heartbeats, {@code Server-Timing}). Nothing here
 * implements a rule of its own: every call goes through the services of {@code chat}, {@code models} and
 * {@code knowledge}, with the caller's effective state. See
 * {@code docs/compatibility.md}.
 */
@NullMarked
@ApplicationModule(displayName = "Compatibility APIs", allowedDependencies = {"platform", "accounts", "settings",
        "cache", "knowledge", "providers", "models", "chat"})
package org.atrium.compat;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
