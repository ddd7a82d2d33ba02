package org.atrium.cache;

import java.util.List;

/**
 * Published, inside the writer's transaction, whenever a transaction declares that it changes what these scopes cover
 * (settings, credentials, memberships, roles). Listeners that derive durable state from those scopes (for example the
 * embedding model of collections) react in the same transaction, so their reaction commits or rolls back with the
 * change.
 *
 * @param scopes the scopes
 */
public record ScopesChanged(List<Scope> scopes) {

    /** Freezes the list. */
    public ScopesChanged {
        scopes = List.copyOf(scopes);
    }
}
