package org.atrium.models;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * One model of the catalogue.
 *
 * @param id           its stable catalogue id, always {@code <connection>/<model>}: adding a connection that offers
 *                     a model of the same name never changes an existing id
 * @param model        the provider's id for it, sent in calls ({@code gpt-4o-mini})
 * @param connection   the connection's name
 * @param connectionId the connection's id
 * @param kind         the connection's wire format
 * @param displayName  the provider's human name, if it gives one
 */
@Schema(description = "A model a provider connection offers.")
public record CatalogueModel(
        @Schema(example = "research-gateway/gpt-4o-mini") String id,
        @Schema(example = "gpt-4o-mini") String model,
        @Schema(example = "research-gateway") String connection,
        @Schema(example = "5f0c6c1e-8a4b-4b5e-9d3c-2a1b0c9d8e7f") String connectionId,
        @Schema(example = "openai") ConnectionKind kind,
        @Schema(example = "GPT-4o mini", nullable = true) @Nullable String displayName) {

    /**
     * @param connection a connection's name
     * @param model      a provider's model id
     * @return the catalogue id
     */
    public static String idOf(String connection, String model) {
        return connection + "/" + model;
    }
}
