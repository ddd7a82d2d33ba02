/**
 * The two {@link org.atrium.storage.BlobStore} implementations and the configuration that picks one.
 */
@NullMarked
package org.atrium.storage.internal;

import org.jspecify.annotations.NullMarked;
