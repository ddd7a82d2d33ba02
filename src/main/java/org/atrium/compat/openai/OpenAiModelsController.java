package org.atrium.compat.openai;

import org.atrium.compat.wire.ErrorResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Size;
import org.atrium.models.CatalogueModel;
import org.atrium.models.ModelCatalogue;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import java.util.List;

/** The caller's models in OpenAI's list shape. */
@RestController
@Tag(name = "OpenAI-compatible API")
class OpenAiModelsController {

    private final ModelCatalogue catalogue;

    OpenAiModelsController(ModelCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    /**
     * A model in OpenAI's shape, with Open WebUI's {@code name}.
     *
     * @param id      the catalogue id or {@code preset:<id>}
     * @param object  always {@code model}
     * @param created unknown to Atrium: 0
     * @param ownedBy the connection's name
     * @param name    the name to show
     */
    @Schema(name = "OpenAiModel")
    record OpenAiModel(String id, String object, long created,
                       @com.fasterxml.jackson.annotation.JsonProperty("owned_by") String ownedBy, String name) {

        static OpenAiModel of(CatalogueModel model) {
            return new OpenAiModel(model.id(), "model", 0, model.connection(),
                    model.displayName() == null ? model.id() : model.displayName());
        }
    }

    /**
     * OpenAI's list.
     *
     * @param object always {@code list}
     * @param data   the models
     */
    @Schema(name = "OpenAiModelList")
    record ModelList(String object, List<OpenAiModel> data) {
    }

    @GetMapping({"/v1/models", "/api/models"})
    @Operation(summary = "List models", description = "The caller's catalogue (as `GET /api/v1/models`: the models"
            + " of the connections they have a credential for, filtered by `allowedModels`, then their presets as"
            + " `preset:<id>`) in OpenAI's list shape; `owned_by` is the connection, `name` the name to show.")
    @ApiResponse(responseCode = "200", description = "The models.")
    @ApiResponse(responseCode = "401", description = ErrorResponses.UNAUTHENTICATED)
    ModelList models(EffectiveState state) {
        return new ModelList("list", catalogue.modelsAndAdditions(state).items().stream().map(OpenAiModel::of)
                .toList());
    }

    @GetMapping({"/v1/models/{*id}", "/api/models/{*id}"})
    @Operation(summary = "Retrieve a model", description = "One model of the caller's catalogue, by catalogue id"
            + " (`<connection>/<model>`, the slash unencoded) or `preset:<id>`.")
    @ApiResponse(responseCode = "200", description = "The model.")
    @ApiResponse(responseCode = "404", description = ErrorResponses.MODEL_NOT_FOUND)
    OpenAiModel model(EffectiveState state, @Parameter(description = "The model's id.", example = "openai/gpt-4o")
                      @PathVariable @Size(max = 301) String id) {
        String wanted = id.startsWith("/") ? id.substring(1) : id;
        return catalogue.modelsAndAdditions(state).items().stream().filter(m -> m.id().equals(wanted))
                .findFirst().map(OpenAiModel::of)
                .orElseThrow(() -> AtriumException.notFound("model_not_found", "No model '" + wanted
                        + "' is available to you; GET /v1/models lists those that are."));
    }
}
