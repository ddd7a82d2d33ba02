/**
 * Platform: configuration, embedded PostgreSQL, errors as problem details, request logging, migrations and OpenAPI.
 */
@NullMarked
@ApplicationModule(displayName = "Platform", type = ApplicationModule.Type.OPEN)
package org.atrium.platform;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
