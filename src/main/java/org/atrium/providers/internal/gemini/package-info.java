/**
 * Google's Generative Language API (Gemini) wire format: endpoints, credential headers, request bodies and stream
 * events, translated to and from the module's provider-neutral records. Only {@code providers.internal} uses it.
 */
@NullMarked
package org.atrium.providers.internal.gemini;

import org.jspecify.annotations.NullMarked;
