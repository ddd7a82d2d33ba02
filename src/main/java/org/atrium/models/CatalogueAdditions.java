package org.atrium.models;

import org.atrium.settings.EffectiveState;

import java.util.List;

/**
 * Models a module above this one offers on top of the providers' (presets), listed by {@code GET /api/v1/models}
 * after the catalogue's. Implementations are Spring beans; they must be quick (a database read, no provider call).
 */
public interface CatalogueAdditions {

    /**
     * @param state     the caller's effective state
     * @param catalogue the caller's catalogue of provider models
     * @return the models to list after them, with ids that cannot be a catalogue id ({@code <connection>/<model>})
     */
    List<CatalogueModel> additions(EffectiveState state, Catalogue catalogue);
}
