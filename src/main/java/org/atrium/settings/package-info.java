/**
 * Settings: what members inherit from the instance and their groups, their own overrides, provider credentials,
 * and the one resolver that turns a request's credential into the caller's effective state, served from the
 * never-stale cache. HTTP authentication lives here because it is that resolver's front door.
 */
@NullMarked
@ApplicationModule(displayName = "Settings", allowedDependencies = {"platform", "cache", "accounts"})
package org.atrium.settings;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
