package org.atrium.models.internal;

import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;

/**
 * What is known of one connection's model list as seen through one credential: the last good list, when it was
 * fetched, and how the last attempt went.
 *
 * @param revision    the connection's revision the list belongs to (a list of an older revision is not shown)
 * @param models      the last good list
 * @param fetchedAt   when the last good list was fetched; null when no fetch has succeeded
 * @param attemptedAt when the last fetch was attempted
 * @param failure     why the last attempt failed (a sentence without secrets), or null when it succeeded
 */
public record ModelListEntry(long revision, List<Model> models, @Nullable Instant fetchedAt, Instant attemptedAt,
                             @Nullable String failure) {

    /** Freezes the list. */
    public ModelListEntry {
        models = List.copyOf(models);
    }

    /**
     * One model as the provider lists it.
     *
     * @param id          the provider's id for it
     * @param displayName the provider's human name, if it gives one
     */
    public record Model(String id, @Nullable String displayName) {
    }
}
