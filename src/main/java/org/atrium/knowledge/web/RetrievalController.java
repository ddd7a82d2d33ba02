package org.atrium.knowledge.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import org.atrium.knowledge.Retrieval;
import org.atrium.knowledge.RetrievalService;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/** Retrieval from knowledge collections. */
@RestController
@Tag(name = "Retrieval", description = "Search knowledge collections by meaning.")
class RetrievalController {

    private final RetrievalService retrieval;

    RetrievalController(RetrievalService retrieval) {
        this.retrieval = retrieval;
    }

    @Schema(description = "What to look for, and where.")
    record RetrievalRequest(
            @Schema(example = "Which rooms require lab coats?") @NotBlank @Size(max = 8000) String query,
            @ArraySchema(arraySchema = @Schema(description = "Collections to search; each must be readable by the"
                    + " caller."), schema = @Schema(example = "5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a4b"))
            @NotEmpty @Size(max = 100) List<UUID> collectionIds,
            @Schema(description = "How many chunks to return, 1 to 100 (default 5).", example = "5", nullable = true)
            @Nullable @Min(1) @Max(RetrievalService.MAX_TOP_K) Integer topK) {
    }

    @PostMapping("/api/v1/retrieval")
    @Operation(summary = "Retrieve chunks",
            description = "Embeds the query with each collection's embedding model and returns the best chunks of"
                    + " ready files, with scores, file and position for citations. Only collections the caller may"
                    + " read are searched; collections whose embedding model or credential is not set are listed in"
                    + " `skipped` with the reason.")
    @ApiResponse(responseCode = "200", description = "The best chunks, best first.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `query` is blank, `collectionIds` is"
            + " empty, or `topK` is out of range.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: a collection does not exist or is not"
            + " yours.")
    @ApiResponse(responseCode = "502", description = "`embedding_failed`: the embedding provider failed to embed"
            + " the query.")
    Retrieval retrieve(EffectiveState state, @Valid @RequestBody RetrievalRequest body) {
        return retrieval.retrieve(state, body.query(), body.collectionIds(), body.topK() == null ? 5 : body.topK());
    }
}
