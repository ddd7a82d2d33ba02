package org.atrium.models.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Size;
import org.atrium.models.Catalogue;
import org.atrium.models.ConnectionModels;
import org.atrium.models.ModelCatalogue;
import org.atrium.settings.EffectiveState;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;


/** The model catalogue: what the caller may use, and each connection's list for the admins who manage it. */
@RestController
@Tag(name = "Models", description = "The models of every provider connection, with each connection's status.")
class ModelController {

    private final ModelCatalogue catalogue;

    ModelController(ModelCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    @GetMapping("/api/v1/models")
    @Operation(summary = "List the models I may use", description = "Every model of the enabled connections the"
            + " caller has a credential for (own, group's or virtual key, or an instance credential shared with"
            + " them; Ollama connections need none), filtered by the caller's `allowedModels` (`*`, a prefix ending"
            + " in `*`, or an exact catalogue or provider id). Ids are always `<connection>/<model>`. Lists are"
            + " fetched from the providers with a short timeout and kept for every replica; a slow or failing"
            + " connection is listed in `connections` with status `failing` and its reason, and its last good list"
            + " is still offered. The caller's presets (own and their groups') follow the models, as"
            + " `preset:<id>` with the preset's name as `displayName` and the base model's `connection`, `model` and"
            + " `kind`, each only while its base model is listed.")
    @ApiResponse(responseCode = "200", description = "The catalogue.")
    @ApiResponse(responseCode = "403", description = "`account_pending`: the account awaits approval.")
    Catalogue models(EffectiveState state) {
        return catalogue.modelsAndAdditions(state);
    }

    @GetMapping("/api/v1/connections/{connectionId}/models")
    @Operation(summary = "Read a connection's model list", description = "The connection's whole list (not"
            + " filtered by `allowedModels`) as fetched with the caller's credential, with its status; fetched now"
            + " if it never was or is older than the refresh period. Admins who manage the connection.")
    @ApiResponse(responseCode = "200", description = "The list and its status (`unavailable` when the connection is"
            + " disabled or no credential of the caller's applies).")
    @ApiResponse(responseCode = "404", description = "`connection_not_found`: no such connection, or not yours.")
    ConnectionModels connectionModels(EffectiveState state, @Parameter(description = ConnectionController.ID)
                                      @PathVariable @Size(max = 100) String connectionId) {
        return catalogue.connectionModels(state, connectionId, false);
    }

    @PostMapping("/api/v1/connections/{connectionId}/models/refresh")
    @Operation(summary = "Fetch a connection's model list now", description = "Fetches the list from the provider"
            + " now (a test of the connection and the caller's credential) and stores it for every replica; a"
            + " failure is reported in `status` with the provider's reason and the last good list is kept. Admins"
            + " who manage the connection.")
    @ApiResponse(responseCode = "200", description = "The list and its status after the fetch.")
    @ApiResponse(responseCode = "404", description = "`connection_not_found`: no such connection, or not yours.")
    ConnectionModels refresh(EffectiveState state, @Parameter(description = ConnectionController.ID)
                             @PathVariable @Size(max = 100) String connectionId) {
        return catalogue.connectionModels(state, connectionId, true);
    }
}
