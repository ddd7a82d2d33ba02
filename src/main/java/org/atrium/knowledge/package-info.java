/**
 * Knowledge: collections and who may read, write and manage them; files stored once and shared by collections;
 * ingestion (extraction, chunking, embedding) in durable background jobs; retrieval; deletion that cleans every store.
 */
@NullMarked
@ApplicationModule(displayName = "Knowledge", allowedDependencies = {"platform", "accounts", "settings", "cache", "storage", "providers"})
package org.atrium.knowledge;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
