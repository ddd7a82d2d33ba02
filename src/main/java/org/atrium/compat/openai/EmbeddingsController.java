package org.atrium.compat.openai;

import org.atrium.compat.wire.ErrorResponses;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.EmbeddingInputs;
import org.atrium.compat.wire.ServerTiming;
import org.atrium.platform.AtriumException;
import org.atrium.platform.ServerTimingMetric;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/** OpenAI's embeddings, with the caller's own embedding model. */
@RestController
@Tag(name = "OpenAI-compatible API")
class EmbeddingsController {

    private final ModelCalls calls;
    private final JsonMapper json;

    EmbeddingsController(ModelCalls calls, JsonMapper json) {
        this.calls = calls;
        this.json = json;
    }

    /**
     * OpenAI's embeddings request.
     *
     * @param input          a string or an array of strings (token arrays are not supported)
     * @param model          the caller's embedding model, by name or {@code <connection>/<model>}
     * @param encodingFormat {@code float} (default) or {@code base64} (little-endian float32)
     * @param dimensions     must equal the model's own, when given
     * @param user           the end user (not stored)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(name = "OpenAiEmbeddingRequest", description = "An OpenAI embeddings request.")
    record EmbeddingRequest(
            @Schema(description = "A string or an array of strings.", example = "[\"kiwi vines\"]")
            @NotNull JsonNode input,
            @Schema(example = "text-embedding-3-small") @NotBlank @Size(max = 300) String model,
            @JsonProperty("encoding_format") @Schema(example = "float", nullable = true)
            @Nullable @Pattern(regexp = "float|base64", message = "must be float or base64") String encodingFormat,
            @Schema(nullable = true, example = "384") @Nullable @Min(1) @Max(65_536) Integer dimensions,
            @Schema(nullable = true, example = "script-7") @Nullable @Size(max = 256) String user) {
    }

    @PostMapping(path = {"/v1/embeddings", "/api/embeddings"}, consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create embeddings", description = "Vectors of one text or a list of texts (at most 2,048,"
            + " each at most 100,000 characters, none blank), made by the caller's own embedding model: the one"
            + " their effective `embedding.connection` and `embedding.model` name (as their personal collections"
            + " use), with the credential that applies. `model` must name it, by its name or"
            + " `<connection>/<model>`. `encoding_format` `base64` gives little-endian float32 bytes, as OpenAI's."
            + " `dimensions` is accepted only when it equals the model's own. Quotas apply; usage is recorded"
            + " (tokens counted with o200k_base). `Server-Timing` gives Atrium's own time and the provider's.")
    @ApiResponse(responseCode = "200", description = "The vectors, in the order of the inputs.")
    @ApiResponse(responseCode = "400", description = ErrorResponses.EMBEDDING_INVALID)
    @ApiResponse(responseCode = "404", description = ErrorResponses.EMBEDDING_MODEL_NOT_FOUND)
    @ApiResponse(responseCode = "409", description = ErrorResponses.EMBEDDING_UNAVAILABLE)
    @ApiResponse(responseCode = "429", description = ErrorResponses.EMBEDDING_QUOTA)
    @ApiResponse(responseCode = "502", description = ErrorResponses.EMBEDDING_FAILED)
    ObjectNode embed(EffectiveState state, @Valid @RequestBody EmbeddingRequest request,
                     HttpServletRequest http, HttpServletResponse response) {
        ServerTiming timing = ServerTiming.of(http);
        List<String> inputs = EmbeddingInputs.of(request.input());
        ModelCalls.Embeddings embedded = calls.embed(state, request.model(), inputs);
        timing.upstream(embedded.upstream());
        if (request.dimensions() != null && !embedded.vectors().isEmpty()
                && embedded.vectors().getFirst().length != request.dimensions()) {
            throw AtriumException.invalidField("dimensions", "this model gives "
                    + embedded.vectors().getFirst().length + " dimensions and cannot give another number");
        }
        boolean base64 = "base64".equals(request.encodingFormat());
        ObjectNode body = json.createObjectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        for (int i = 0; i < embedded.vectors().size(); i++) {
            float[] vector = embedded.vectors().get(i);
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(vector);
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float value : vector) {
                    values.add(value);
                }
            }
        }
        body.put("model", embedded.model());
        body.putObject("usage").put("prompt_tokens", embedded.tokens()).put("total_tokens", embedded.tokens());
        response.setHeader(ServerTimingMetric.HEADER, timing.header());
        return body;
    }
}
