/**
 * The provider clients behind the module's facade: wire formats, retries, error wording and metrics.
 */
@NullMarked
package org.atrium.providers.internal;

import org.jspecify.annotations.NullMarked;
