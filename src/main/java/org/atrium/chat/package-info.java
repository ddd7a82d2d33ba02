/**
 * Chats: conversations of one user whose messages form a tree (an edited question or a regenerated answer is a
 * sibling branch), the branch being shown, search, and the storage of answers written while they are generated.
 */
@NullMarked
@ApplicationModule(displayName = "Chat", allowedDependencies = {"platform", "accounts", "settings", "cache",
        "knowledge", "providers", "models"})
package org.atrium.chat;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
