/**
 * Storage: where uploaded files' bytes live, a local directory or an S3-compatible bucket, behind
 * {@link org.atrium.storage.BlobStore}.
 */
@NullMarked
@ApplicationModule(displayName = "Storage", allowedDependencies = {"platform"})
package org.atrium.storage;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
