/**
 * Models: the provider connections members may use (configured by the operator, registered by instance admins, or by
 * group admins for their group) and the catalogue of models they offer, fetched from each provider, cached
 * cluster-wide with its status and last good list, and filtered per caller by credentials and {@code allowedModels}.
 */
@NullMarked
@ApplicationModule(displayName = "Models",
        allowedDependencies = {"platform", "cache", "accounts", "settings", "providers"})
package org.atrium.models;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
