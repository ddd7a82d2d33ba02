/**
 * The provider clients behind the module's facades: embeddings, model listing and the chat engine (timeouts, retries,
 * circuit breakers, limits, error wording, metrics), with one subpackage per chat wire format.
 */
@NullMarked
package org.atrium.providers.internal;

import org.jspecify.annotations.NullMarked;
