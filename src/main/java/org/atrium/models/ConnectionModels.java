package org.atrium.models;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/**
 * One connection's model list, unfiltered, for the admins who manage it.
 *
 * @param status how the list stands
 * @param items  the last good list
 */
@Schema(description = "One connection's model list and its status.")
public record ConnectionModels(ModelListStatus status, List<CatalogueModel> items) {

    /** Freezes the list. */
    public ConnectionModels {
        items = List.copyOf(items);
    }
}
