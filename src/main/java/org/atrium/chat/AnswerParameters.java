package org.atrium.chat;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generation parameters of an answer; each one omitted leaves the provider's default.
 *
 * @param temperature sampling temperature, 0 to 2
 * @param topP        nucleus sampling, 0 to 1
 * @param maxTokens   most output tokens, 1 to 1,000,000
 * @param stop        stop sequences, at most 4 of at most 100 characters
 * @param seed        for reproducible sampling where the provider supports it
 * @param format      the shape the answer must take (JSON, JSON matching a schema); free text when omitted
 */
@Schema(description = "Generation parameters; each one omitted leaves the provider's default.")
public record AnswerParameters(
        @Schema(example = "0.2", nullable = true) @Nullable @DecimalMin("0") @DecimalMax("2") Double temperature,
        @Schema(example = "0.9", nullable = true) @Nullable @DecimalMin("0") @DecimalMax("1") Double topP,
        @Schema(example = "1024", nullable = true) @Nullable @Min(1) @Max(1_000_000) Integer maxTokens,
        @ArraySchema(arraySchema = @Schema(nullable = true, description = "Stop sequences."),
                schema = @Schema(example = "\\n\\nQuestion:"))
        @Nullable @Size(max = 4) List<@NotNull @Size(min = 1, max = 100) String> stop,
        @Schema(example = "42", nullable = true) @Nullable Long seed,
        @Schema(nullable = true) @Nullable @Valid AnswerFormat format) {

    /** No parameter: the provider's defaults. */
    public static final AnswerParameters DEFAULTS = new AnswerParameters(null, null, null, null, null, null);

    /** @return the parameters that are set, by name, as they are stored with an answer or a preset */
    public Map<String, Object> set() {
        Map<String, Object> set = new LinkedHashMap<>();
        if (temperature != null) {
            set.put("temperature", temperature);
        }
        if (topP != null) {
            set.put("topP", topP);
        }
        if (maxTokens != null) {
            set.put("maxTokens", maxTokens);
        }
        if (stop != null && !stop.isEmpty()) {
            set.put("stop", stop);
        }
        if (seed != null) {
            set.put("seed", seed);
        }
        if (format != null) {
            set.put("format", format);
        }
        return set;
    }
}
