/**
 * Anthropic's Messages API as Open WebUI offers it ({@code POST /api/v1/messages}), over every provider kind: requests
 * and answers, streamed as Anthropic's events or whole, and errors in Anthropic's shape. A thin adapter over
 * {@link org.atrium.chat.ModelCalls}. See {@code docs/compatibility.md}.
 */
@NullMarked
package org.atrium.compat.anthropic;

import org.jspecify.annotations.NullMarked;
