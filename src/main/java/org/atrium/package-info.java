/**
 * Atrium, a self-hosted AI workspace for organisations. Each direct subpackage is a feature module whose public
 * surface is its top-level package; {@code internal} and {@code web} subpackages are private to the module.
 */
@NullMarked
package org.atrium;

import org.jspecify.annotations.NullMarked;
