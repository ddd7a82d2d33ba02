/**
 * The OpenAI chat completions wire format (OpenAI and every compatible server): endpoints, credential headers, request
 * bodies and stream events, translated to and from the module's provider-neutral records. Only {@code
 * providers.internal} uses it.
 */
@NullMarked
package org.atrium.providers.internal.openai;

import org.jspecify.annotations.NullMarked;
