package org.atrium.settings;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * A setting's effective value and where it comes from.
 *
 * @param value   the value (JSON null: not set anywhere)
 * @param source  the layer that decided it: {@code instance}, {@code group:<id>} or {@code user}; for the
 *                permissions of an instance admin, {@code admin} (their role grants them)
 * @param sources every layer that contributed (more than one for merged lists and permissions)
 */
@Schema(description = "A setting's effective value and where it comes from.")
public record EffectiveValue(
        @Schema(example = "gpt-4o") JsonNode value,
        @Schema(example = "group:2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f") String source,
        List<String> sources) {

    /** Freezes the list. */
    public EffectiveValue {
        sources = List.copyOf(sources);
    }
}
