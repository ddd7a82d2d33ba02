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
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.atrium.knowledge.Retrieval;
import org.atrium.knowledge.RetrievalQuery;
import org.atrium.knowledge.RetrievalService;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Retrieval from knowledge collections. */
@RestController
@Tag(name = "Retrieval", description = "Search knowledge collections by keywords and meaning.")
class RetrievalController {

    private final RetrievalService retrieval;

    RetrievalController(RetrievalService retrieval) {
        this.retrieval = retrieval;
    }

    @Schema(description = "What to look for, where, and how to rank and group the results.")
    record RetrievalRequest(
            @Schema(example = "Which rooms require lab coats?") @NotBlank @Size(max = 8000) String query,
            @ArraySchema(arraySchema = @Schema(description = "Collections to search; each must be readable by the"
                    + " caller."), schema = @Schema(example = "5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a4b"))
            @NotEmpty @Size(max = 100) List<@NotNull UUID> collectionIds,
            @Schema(description = "How many results (chunks, or files with `groupBy=file`) to return, 1 to 100"
                    + " (default 5).", example = "5", nullable = true)
            @Nullable @Min(1) @Max(RetrievalQuery.MAX_TOP_K) Integer topK,
            @Schema(description = "How many results to skip, for the next pages (default 0); `offset + topK` is at"
                    + " most 1000. Pass the previous response's `nextOffset`.", example = "0", nullable = true)
            @Nullable @Min(0) @Max(RetrievalQuery.MAX_DEPTH) Integer offset,
            @Schema(description = "How to rank: `hybrid` (default: keyword and vector rankings fused by reciprocal"
                    + " rank), `vector` (meaning: cosine similarity of embeddings) or `keyword` (BM25-like"
                    + " full-text ranking in the collection's language).", allowableValues = {"hybrid", "vector",
                    "keyword"}, example = "hybrid", nullable = true)
            @Nullable @Pattern(regexp = "hybrid|vector|keyword") String mode,
            @Schema(description = "`chunk` (default): each result is a chunk; `file`: each result is a file with"
                    + " its best chunks (`chunksPerFile`), ranked by its best chunk.", allowableValues = {"chunk",
                    "file"}, example = "file", nullable = true)
            @Nullable @Pattern(regexp = "chunk|file") String groupBy,
            @Schema(description = "With `groupBy=file`: how many of each file's best chunks to return, 1 to 10"
                    + " (default 3).", example = "3", nullable = true)
            @Nullable @Min(1) @Max(RetrievalQuery.MAX_CHUNKS_PER_FILE) Integer chunksPerFile,
            @Schema(description = "Only files matching this filter.", nullable = true,
                    example = "{\"metadata\": {\"department\": [\"chemistry\"]}}") @Nullable @Valid Filter filter) {
    }

    @Schema(description = "Which files may be returned.")
    record Filter(
            @Schema(description = "For each key (at most 16), the values (1 to 32) a file's upload metadata may have"
                    + " there; a file matches when every key has one of its values.",
                    example = "{\"department\": [\"chemistry\"], \"year\": [\"2025\", \"2026\"]}",
                    nullable = true)
            @Nullable @Size(max = RetrievalService.MAX_FILTER_KEYS)
            Map<@NotNull @Size(min = 1, max = 64) String,
                    @NotNull @Size(min = 1, max = RetrievalService.MAX_FILTER_VALUES)
                    List<@NotNull @Size(max = 512) String>> metadata) {
    }

    @PostMapping("/api/v1/retrieval")
    @Operation(summary = "Retrieve chunks or files",
            description = "Finds the chunks of ready files that best match the query, ranked by keywords and"
                    + " meaning together (`hybrid`, the default), by meaning alone (`vector`: the query is embedded"
                    + " with each collection's embedding model) or by keywords alone (`keyword`). Results carry the"
                    + " file, collection, chunk index, character span and score a citation needs; `groupBy=file`"
                    + " returns files with their best chunks instead. Page with `offset` and `nextOffset`; narrow"
                    + " with `filter.metadata`. Only collections the caller may read are searched; collections whose"
                    + " embedding model or credential is not set are listed in `skipped` with the reason.")
    @ApiResponse(responseCode = "200", description = "The best results, best first.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `query` is blank, `collectionIds` is"
            + " empty, `topK`, `offset` or `chunksPerFile` is out of range, `mode` or `groupBy` is unknown, or the"
            + " filter is too large.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: a collection does not exist or is not"
            + " yours.")
    @ApiResponse(responseCode = "502", description = "`embedding_failed`: the embedding provider failed to embed"
            + " the query.")
    Retrieval retrieve(EffectiveState state, @Valid @RequestBody RetrievalRequest body) {
        Map<String, List<String>> metadata = body.filter() == null || body.filter().metadata() == null ? Map.of()
                : body.filter().metadata();
        return retrieval.retrieve(state, new RetrievalQuery(body.query(), body.collectionIds(),
                body.topK() == null ? 5 : body.topK(), body.offset() == null ? 0 : body.offset(),
                body.mode() == null ? RetrievalQuery.Mode.HYBRID
                        : RetrievalQuery.Mode.valueOf(body.mode().toUpperCase(Locale.ROOT)),
                "file".equals(body.groupBy()) ? RetrievalQuery.GroupBy.FILE : RetrievalQuery.GroupBy.CHUNK,
                body.chunksPerFile() == null ? 3 : body.chunksPerFile(), metadata));
    }
}
