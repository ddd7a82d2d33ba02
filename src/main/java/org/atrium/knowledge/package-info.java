/**
 * Knowledge: collections and who may read, write and manage them. (Files, ingestion, retrieval and deletion across
 * stores come next; see the knowledge issue.)
 */
@NullMarked
@ApplicationModule(displayName = "Knowledge", allowedDependencies = {"platform", "accounts", "settings"})
package org.atrium.knowledge;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
