package org.atrium.models;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/**
 * The models a caller may use, and how each connection's list stands.
 *
 * @param items       the models, by connection and then model id
 * @param connections the connections they come from, with their status, in the same order
 */
@Schema(description = "The models the caller may use, with the status of each connection's list.")
public record Catalogue(List<CatalogueModel> items, List<ModelListStatus> connections) {

    /** Freezes the lists. */
    public Catalogue {
        items = List.copyOf(items);
        connections = List.copyOf(connections);
    }

    /** @return the same with these models listed after the others */
    public Catalogue plus(List<CatalogueModel> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<CatalogueModel> all = new java.util.ArrayList<>(items);
        all.addAll(more);
        return new Catalogue(all, connections);
    }
}
