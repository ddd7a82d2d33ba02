/**
 * What every wire shape of the compatibility APIs shares: errors rewritten from problem details into the shape's own
 * ({@link org.atrium.compat.wire.CompatErrorFilter}), the answer's output with its heartbeats and the cancellation of
 * a call whose client went away ({@link org.atrium.compat.wire.AnswerOutput}), and {@code Server-Timing}. Public only
 * for the shapes' packages of this module.
 */
@NullMarked
package org.atrium.compat.wire;

import org.jspecify.annotations.NullMarked;
