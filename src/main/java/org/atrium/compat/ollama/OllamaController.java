package org.atrium.compat.ollama;

import org.atrium.compat.wire.ErrorResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.EmbeddingInputs;
import org.atrium.models.CatalogueModel;
import org.atrium.settings.EffectiveState;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/** Ollama's model list and embeddings, for the caller's Ollama connections and embedding model. */
@RestController
@Tag(name = "Ollama proxy (Open WebUI)")
class OllamaController {

    private final OllamaModels models;
    private final ModelCalls calls;
    private final JsonMapper json;

    OllamaController(OllamaModels models, ModelCalls calls, JsonMapper json) {
        this.models = models;
        this.calls = calls;
        this.json = json;
    }

    @GetMapping("/ollama/api/tags")
    @Operation(summary = "List models (Ollama)", description = "The models of the caller's Ollama connections (those"
            + " of their catalogue, `allowedModels` applied) in Ollama's shape: each under the name that reaches it,"
            + " the plain name for the first connection offering it, `<connection>/<model>` for the others. Atrium"
            + " does not know sizes, digests or details: they are empty.")
    @ApiResponse(responseCode = "200", description = "The models.")
    @ApiResponse(responseCode = "401", description = ErrorResponses.UNAUTHENTICATED)
    ObjectNode tags(EffectiveState state) {
        ObjectNode body = json.createObjectNode();
        ArrayNode list = body.putArray("models");
        String unknown = Instant.EPOCH.toString();
        for (Map.Entry<String, CatalogueModel> entry : models.named(state).entrySet()) {
            list.addObject().put("name", entry.getKey()).put("model", entry.getKey()).put("modified_at", unknown)
                    .put("size", 0).put("digest", "").put("connection", entry.getValue().connection())
                    .putObject("details");
        }
        return body;
    }

    @PostMapping(path = "/ollama/api/embed", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Embed (Ollama)", description = "Vectors of one text or a list of texts (at most 2,048, each"
            + " at most 100,000 characters, none blank) made by the caller's own embedding model (their effective"
            + " `embedding.connection` and `embedding.model`, as for `/v1/embeddings`), which `model` must name, by"
            + " its name or `<connection>/<model>`. Quotas apply; usage is recorded.")
    @ApiResponse(responseCode = "200", description = "`{\"model\", \"embeddings\": [[...]]}`, in the inputs' order.")
    @ApiResponse(responseCode = "400", description = ErrorResponses.EMBEDDING_INVALID)
    @ApiResponse(responseCode = "404", description = ErrorResponses.EMBEDDING_MODEL_NOT_FOUND)
    @ApiResponse(responseCode = "409", description = ErrorResponses.EMBEDDING_UNAVAILABLE)
    @ApiResponse(responseCode = "429", description = ErrorResponses.EMBEDDING_QUOTA)
    @ApiResponse(responseCode = "502", description = ErrorResponses.EMBEDDING_FAILED)
    ObjectNode embed(EffectiveState state, @Valid @RequestBody OllamaRequests.Embed request) {
        long started = System.nanoTime();
        ModelCalls.Embeddings embedded = calls.embed(state, request.model(), EmbeddingInputs.of(request.input()));
        ObjectNode body = json.createObjectNode().put("model", request.model());
        ArrayNode vectors = body.putArray("embeddings");
        for (float[] vector : embedded.vectors()) {
            ArrayNode values = vectors.addArray();
            for (float value : vector) {
                values.add(value);
            }
        }
        return body.put("total_duration", System.nanoTime() - started).put("load_duration", 0)
                .put("prompt_eval_count", embedded.tokens());
    }
}
