/**
 * Cache: the never-stale protocol. Values are cached under a {@link org.atrium.cache.Stamp}, the versions of the
 * {@link org.atrium.cache.Scope}s they were computed from, and served only while every one of those versions is
 * still current. Writers raise versions through {@link org.atrium.cache.Invalidation} inside their transaction.
 * The protocol and its correctness argument are in {@code docs/consistency.md}.
 */
@NullMarked
@ApplicationModule(displayName = "Cache", allowedDependencies = "platform")
package org.atrium.cache;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
