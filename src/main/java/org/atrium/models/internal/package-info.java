/** The models module's implementation: SQL, URL and header checks, the model-list store and fetcher. */
@NullMarked
package org.atrium.models.internal;

import org.jspecify.annotations.NullMarked;
