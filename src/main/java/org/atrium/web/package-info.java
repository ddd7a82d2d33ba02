/**
 * The web interface: server-rendered pages (JTE templates in {@code src/main/jte}, precompiled into the jar) and a
 * little plain JavaScript ({@code static/assets}) for streaming answers and following uploads. It holds no rule of
 * its own: pages call the public services of {@code accounts}, {@code chat}, {@code models} and {@code knowledge}
 * with the caller's effective state, and the scripts call the same {@code /api/v1} endpoints as any client. Its own
 * security chain ({@link org.atrium.web.WebSecurityConfiguration}) covers only the interface's paths: the session
 * cookie, CSRF tokens on its forms and a Content-Security-Policy that lets no inline script run. Nothing depends on
 * this module.
 */
@NullMarked
@ApplicationModule(displayName = "Web interface", allowedDependencies = {"platform", "accounts", "settings",
        "models", "chat", "knowledge"})
package org.atrium.web;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
